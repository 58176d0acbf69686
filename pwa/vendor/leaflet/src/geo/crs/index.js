export {CRS} from './CRS.js';
export {EarthCRS} from './EarthCRS.js';
export {EPSG3395} from './EPSG3395.js';
export {EPSG3857, EPSG900913} from './EPSG3857.js';
export {EPSG4326} from './EPSG4326.js';
export {SimpleCRS} from './SimpleCRS.js';

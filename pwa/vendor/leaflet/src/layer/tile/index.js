export {GridLayer} from './GridLayer.js';
export {TileLayer} from './TileLayer.js';
export {WMSTileLayer} from './WMSTileLayer.js';

export {LatLng} from './LatLng.js';
export {LatLngBounds} from './LatLngBounds.js';

import * as Projection from './projection/index.js';
export {Projection};

export * from './crs/index.js';

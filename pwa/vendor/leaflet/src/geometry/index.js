export {Point} from './Point.js';
export {Bounds} from './Bounds.js';
export {Transformation} from './Transformation.js';

import * as LineUtil from './LineUtil.js';
export {LineUtil};
import * as PolyUtil from './PolyUtil.js';
export {PolyUtil};

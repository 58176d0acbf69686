export {PosAnimation} from './PosAnimation.js';

import * as DomEvent from './DomEvent.js';
export {DomEvent};

import * as DomUtil from './DomUtil.js';
export {DomUtil};

export {Draggable} from './Draggable.js';

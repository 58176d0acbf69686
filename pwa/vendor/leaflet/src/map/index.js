export {Map, LeafletMap} from './Map.js';
export {BoxZoomHandler} from './handler/BoxZoomHandler.js';
export {DoubleClickZoomHandler} from './handler/DoubleClickZoomHandler.js';
export {DragHandler} from './handler/DragHandler.js';
export {KeyboardHandler} from './handler/KeyboardHandler.js';
export {ScrollWheelZoomHandler} from './handler/ScrollWheelZoomHandler.js';
export {TapHoldHandler} from './handler/TapHoldHandler.js';
export {PinchZoomHandler} from './handler/PinchZoomHandler.js';

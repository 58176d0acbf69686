export {Layer} from './Layer.js';
export {LayerGroup} from './LayerGroup.js';
export {FeatureGroup} from './FeatureGroup.js';
export {GeoJSON} from './GeoJSON.js';

export {BlanketOverlay} from './BlanketOverlay.js';

export {ImageOverlay} from './ImageOverlay.js';
export {VideoOverlay} from './VideoOverlay.js';
export {SVGOverlay} from './SVGOverlay.js';

export {DivOverlay} from './DivOverlay.js';
export {Popup} from './Popup.js';
export {Tooltip} from './Tooltip.js';

export * from './marker/index.js';
export * from './tile/index.js';
export * from './vector/index.js';

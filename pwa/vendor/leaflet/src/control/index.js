export {AttributionControl} from './AttributionControl.js';
export {Control} from './Control.js';
export {LayersControl} from './LayersControl.js';
export {ScaleControl} from './ScaleControl.js';
export {ZoomControl} from './ZoomControl.js';

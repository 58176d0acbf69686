export {Icon} from './Icon.js';
export {DefaultIcon} from './DefaultIcon.js';

export {DivIcon} from './DivIcon.js';
export {Marker} from './Marker.js';

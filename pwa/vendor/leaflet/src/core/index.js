export {default as Browser} from './Browser.js';
export {Class} from './Class.js';
export {Evented} from './Events.js';
export {Handler} from './Handler.js';

import * as Util from './Util.js';
export {Util};

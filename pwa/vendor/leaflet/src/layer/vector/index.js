export {Renderer} from './Renderer.js';
export {Canvas} from './Canvas.js';
export {SVG} from './SVG.js';
import './Renderer.getRenderer.js';	// This is a bit of a hack, but needed because circular dependencies

export {Path} from './Path.js';
export {CircleMarker} from './CircleMarker.js';
export {Circle} from './Circle.js';
export {Polyline} from './Polyline.js';
export {Polygon} from './Polygon.js';
export {Rectangle} from './Rectangle.js';

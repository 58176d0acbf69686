export const version = '2.0.0-alpha.1';

// control
export * from './control/index.js';

// core
export * from './core/index.js';

// dom
export * from './dom/index.js';

// geometry
export * from './geometry/index.js';

// geo
export * from './geo/index.js';

// layer
export * from './layer/index.js';

// map
export * from './map/index.js';

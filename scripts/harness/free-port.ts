// The embedded demo needs free ports too, so the implementation lives in product code (src/embedded);
// the harness's own modules and tests keep importing it from here.
export { freePort, freePorts } from '../../src/embedded/free-port.js';

/** The door contract's core scenarios (each mode: PUT, GET, range, multipart) through the SDK v3 plugin against SeaweedFS, file keystore. */
import test from 'ava';
import { doorContract } from './door-contract.js';
import { sdkDoor } from './sdk-door-fixture.js';

doorContract(test, 'sdk-v3 door · SeaweedFS · file keystore', () => sdkDoor('file', 'seaweedfs'), { scenarios: 'core' });

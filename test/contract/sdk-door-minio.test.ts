/** The door contract through the SDK v3 plugin against MinIO, keys in the file keystore. */
import test from 'ava';
import { doorContract } from './door-contract.js';
import { sdkDoor } from './sdk-door-fixture.js';

doorContract(test, 'sdk-v3 door · MinIO · file keystore', () => sdkDoor('file', 'minio'));

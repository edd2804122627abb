/** The door contract through the SDK v3 plugin against MinIO, keys in OpenBao Transit (SSE-S3 and SSE-KMS). */
import test from 'ava';
import { doorContract } from './door-contract.js';
import { sdkDoor } from './sdk-door-fixture.js';

doorContract(test, 'sdk-v3 door · MinIO · OpenBao', () => sdkDoor('openbao', 'minio'));

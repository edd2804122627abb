/** The door contract through the SDK v3 plugin against MinIO, keys in local-kms (AWS KMS API; SSE-KMS by alias, echoed as the ARN). */
import test from 'ava';
import { doorContract } from './door-contract.js';
import { sdkDoor } from './sdk-door-fixture.js';

doorContract(test, 'sdk-v3 door · MinIO · local-kms', () => sdkDoor('localkms', 'minio'));

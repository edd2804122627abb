/** The door contract through the gateway (`s3seal serve` over HTTPS, SigV4 by a real S3Client) against MinIO, keys in the file keystore. */
import test from 'ava';
import { doorContract } from './door-contract.js';
import { gatewayDoor } from './gateway-door-fixture.js';

doorContract(test, 'gateway door · MinIO · file keystore', () => gatewayDoor('file', 'minio'));

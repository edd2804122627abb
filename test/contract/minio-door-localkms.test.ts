/** The door contract through the minio wrapper (createSealedMinioClient, minio-js calls) against MinIO · local-kms; what minio-js cannot express is left out (MINIO_DOOR_GAPS). */
import test from 'ava';
import { doorContract } from './door-contract.js';
import { MINIO_DOOR_GAPS, minioDoor } from './minio-door-fixture.js';

doorContract(test, 'minio door · MinIO · local-kms', () => minioDoor('localkms'), { gaps: MINIO_DOOR_GAPS });

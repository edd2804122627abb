/** The door contract through the minio wrapper (createSealedMinioClient, minio-js calls) against MinIO · OpenBao; what minio-js cannot express is left out (MINIO_DOOR_GAPS). */
import test from 'ava';
import { doorContract } from './door-contract.js';
import { MINIO_DOOR_GAPS, minioDoor } from './minio-door-fixture.js';

doorContract(test, 'minio door · MinIO · OpenBao', () => minioDoor('openbao'), { gaps: MINIO_DOOR_GAPS });

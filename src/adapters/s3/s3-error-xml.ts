import { XMLBuilder } from 'fast-xml-parser';
import type { S3ErrorShape } from './s3-error-shape.js';

/** What the door knows about the failed request, echoed as S3 echoes it. */
export interface S3ErrorContext {
  /** the bucket or object the request addressed, e.g. "/bucket/key" */
  resource?: string;
  requestId?: string;
}

// processEntities escapes &, <, >, ", ' in text: a key name such as "a<b" cannot break the document.
// Empty elements are written as <Resource></Resource>, as S3 does.
const builder = new XMLBuilder({ processEntities: true, suppressEmptyNode: false });

/**
 * The body of an S3 error response (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#RESTErrorResponses):
 * `<?xml …?><Error><Code/><Message/><Resource/><RequestId/></Error>`, sent with
 * `Content-Type: application/xml`. HEAD responses carry no body; the door drops it.
 */
export function s3ErrorXml(error: S3ErrorShape, context: S3ErrorContext = {}): Buffer {
  const document = builder.build({
    Error: {
      Code: error.code,
      Message: error.message,
      Resource: context.resource ?? '',
      RequestId: context.requestId ?? '',
    },
  });
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${document}`, 'utf8');
}

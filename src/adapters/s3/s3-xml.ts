import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { SealError } from '../../errors.js';

/** the namespace of every S3 response document */
export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

// processEntities escapes &, <, >, ", ' in text, so a key such as "a<b" cannot break a document
const builder = new XMLBuilder({ processEntities: true, suppressEmptyNode: false, ignoreAttributes: false, attributeNamePrefix: '@_' });

/** XML element content: text, a nested element, or a repeated element (an array) */
export type XmlValue = string | number | boolean | XmlElement | readonly XmlElement[] | readonly string[];
export interface XmlElement {
  [name: string]: XmlValue | undefined;
}

/** An S3 response document: `<?xml?>` declaration, the root element in S3's namespace. */
export function s3Xml(root: string, content: XmlElement | string): Buffer {
  const body = typeof content === 'string' ? { '#text': content } : content;
  const document = builder.build({ [root]: { '@_xmlns': S3_XMLNS, ...body } });
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${document}`, 'utf8');
}

/** The headers of an XML response body. */
export function xmlHeaders(body: Buffer): Record<string, string> {
  return { 'content-type': 'application/xml', 'content-length': String(body.length) };
}

// Documents with a DTD are refused before parsing: entity definitions are how XML bodies blow up
// (billion laughs) and S3's schemas have none.
const DTD = /<!DOCTYPE|<!ENTITY/i;

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
});

/**
 * Parse an S3 request document (CompleteMultipartUpload, CreateBucketConfiguration) into plain
 * objects; tag values stay strings. Malformed or DTD-carrying XML is MalformedXML (400).
 */
export function parseS3Xml(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (DTD.test(text)) throw new SealError('MalformedXML', 'XML with a DTD is not accepted');
  let parsed: unknown;
  try {
    parsed = parser.parse(text, true);
  } catch {
    throw new SealError('MalformedXML', 'the XML body is not well-formed');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new SealError('MalformedXML', 'the XML body is empty');
  return parsed as Record<string, unknown>;
}

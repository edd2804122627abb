import { XMLBuilder } from 'fast-xml-parser';
import type { S3Response } from './s3-response.js';
import { S3_XMLNS } from './s3-xml.js';

/*
 * s3-xml.ts builds documents from objects, which cannot say in which order different elements come;
 * the list answers need it (Version and DeleteMarker interleaved as S3 sends them), so this builder
 * takes elements as an ordered list.
 */

/** An element: name and text, or name and child elements in order (S3 interleaves e.g. Version and DeleteMarker). */
export type XmlNode = readonly [name: string, value: string | number | boolean | readonly XmlNode[]];

type Ordered = Record<string, unknown>;

// preserveOrder keeps children in the order given; processEntities escapes &, <, >, ", ' in text
const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '@_', processEntities: true, suppressEmptyNode: false });

function ordered([name, value]: XmlNode): Ordered {
  return { [name]: typeof value === 'object' ? value.map(ordered) : [{ '#text': String(value) }] };
}

/** `<?xml …?><root xmlns="…S3…">children</root>` */
export function s3XmlDocument(root: string, children: readonly XmlNode[]): Buffer {
  const document: string = builder.build([{ ...ordered([root, children]), ':@': { '@_xmlns': S3_XMLNS } }]);
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${document}`, 'utf8');
}

/** a 200 answer carrying an S3 XML document */
export function s3XmlResponse(root: string, children: readonly XmlNode[], headers: Record<string, string> = {}): S3Response {
  const body = s3XmlDocument(root, children);
  return { status: 200, headers: { ...headers, 'content-type': 'application/xml', 'content-length': String(body.length) }, body };
}

/** S3's timestamps in XML: ISO 8601 with milliseconds, UTC */
export function xmlDate(d: Date | undefined): string {
  return (d ?? new Date(0)).toISOString();
}

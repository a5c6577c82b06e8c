/**
 * SQS's query protocol (AWS CLI 2.9, older SDKs): form-encoded `Action=...` requests turned into the
 * JSON protocol's input shapes, and JSON-shaped outputs written as the XML the query protocol answers.
 */
import { xmlEscape } from '#local-cloud/gateway/error-shapes';
import { SQS_XML_NAMESPACE } from './constants.ts';

type Tree = { [key: string]: Tree | string };

/** Builds a tree from dotted keys (`Attribute.1.Name`), keeping 1-based indexes as keys. */
function toTree(params: URLSearchParams): Tree {
  const root: Tree = {};
  for (const [key, value] of params) {
    const parts = key.split('.');
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = value;
        return;
      }
      const next = node[part];
      if (typeof next === 'object') node = next;
      else {
        const child: Tree = {};
        node[part] = child;
        node = child;
      }
    });
  }
  return root;
}

/** The children of an indexed node (`{1: ..., 2: ...}`) in index order. */
function indexed(node: Tree | string | undefined): (Tree | string)[] {
  if (node === undefined || typeof node === 'string') return [];
  return Object.keys(node)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => node[k] as Tree | string);
}

function str(node: Tree | string | undefined): string | undefined {
  return typeof node === 'string' ? node : undefined;
}

/** A message attribute value node (`Value.StringValue`, `Value.DataType`, ...). */
function attributeValue(node: Tree | string | undefined): Record<string, string> {
  const value: Record<string, string> = {};
  if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) if (typeof v === 'string') value[k] = v;
  }
  return value;
}

const LIST_KEYS: Record<string, string> = {
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  TagKey: 'TagKeys',
};

/** Converts a tree level into the JSON protocol's member names. */
function convert(tree: Tree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(tree)) {
    if (key === 'Attribute') {
      const map: Record<string, string> = {};
      for (const item of indexed(node)) if (typeof item === 'object') map[str(item['Name']) ?? ''] = str(item['Value']) ?? '';
      out['Attributes'] = map;
    } else if (key === 'Tag') {
      const map: Record<string, string> = {};
      for (const item of indexed(node)) if (typeof item === 'object') map[str(item['Key']) ?? ''] = str(item['Value']) ?? '';
      out['tags'] = map;
    } else if (key === 'MessageAttribute' || key === 'MessageSystemAttribute') {
      const map: Record<string, Record<string, string>> = {};
      for (const item of indexed(node)) if (typeof item === 'object') map[str(item['Name']) ?? ''] = attributeValue(item['Value']);
      out[`${key}s`] = map;
    } else if (LIST_KEYS[key]) {
      out[LIST_KEYS[key]] = indexed(node).filter((v): v is string => typeof v === 'string');
    } else if (key.endsWith('RequestEntry')) {
      out['Entries'] = indexed(node).map((item) => (typeof item === 'object' ? convert(item) : {}));
    } else if (typeof node === 'string') {
      out[key] = node;
    }
  }
  return out;
}

/** The operation and its JSON-shaped input from a query request's parameters. */
export function parseQueryRequest(params: URLSearchParams): { action: string; input: Record<string, unknown> } {
  const action = params.get('Action') ?? '';
  const tree = toTree(params);
  delete tree['Action'];
  delete tree['Version'];
  return { action, input: convert(tree) };
}

function element(name: string, inner: string): string {
  return `<${name}>${inner}</${name}>`;
}

/** Serialises one JSON output member as the query protocol's XML. */
function memberXml(action: string, key: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (key === 'QueueUrls') return (value as string[]).map((url) => element('QueueUrl', xmlEscape(url))).join('');
  if (key === 'queueUrls') return (value as string[]).map((url) => element('QueueUrl', xmlEscape(url))).join('');
  if (key === 'Attributes') {
    return Object.entries(value as Record<string, string>)
      .map(([name, v]) => element('Attribute', element('Name', xmlEscape(name)) + element('Value', xmlEscape(String(v)))))
      .join('');
  }
  if (key === 'Tags') {
    return Object.entries(value as Record<string, string>)
      .map(([name, v]) => element('Tag', element('Key', xmlEscape(name)) + element('Value', xmlEscape(v))))
      .join('');
  }
  if (key === 'MessageAttributes') {
    return Object.entries(value as Record<string, Record<string, string>>)
      .map(([name, v]) => element('MessageAttribute', element('Name', xmlEscape(name)) + element('Value', objectXml(action, v))))
      .join('');
  }
  if (key === 'Messages') return (value as Record<string, unknown>[]).map((m) => element('Message', objectXml(action, m))).join('');
  if (key === 'Successful') return (value as Record<string, unknown>[]).map((e) => element(`${action}ResultEntry`, objectXml(action, e))).join('');
  if (key === 'Failed') return (value as Record<string, unknown>[]).map((e) => element('BatchResultErrorEntry', objectXml(action, e))).join('');
  if (typeof value === 'object') return element(key, objectXml(action, value as Record<string, unknown>));
  return element(key, xmlEscape(String(value)));
}

function objectXml(action: string, object: Record<string, unknown>): string {
  return Object.entries(object)
    .map(([key, value]) => memberXml(action, key, value))
    .join('');
}

/** The XML answer of a query request: `<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>`. */
export function queryResponseXml(action: string, output: Record<string, unknown> | undefined, requestId: string): string {
  const result = output ? element(`${action}Result`, objectXml(action, output)) : '';
  return (
    `<?xml version="1.0"?><${action}Response xmlns="${SQS_XML_NAMESPACE}">${result}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

/** The query protocol's error document. */
export function queryErrorXml(code: string, message: string, fault: 'Sender' | 'Receiver', requestId: string): string {
  return (
    `<?xml version="1.0"?><ErrorResponse xmlns="${SQS_XML_NAMESPACE}"><Error><Type>${fault}</Type>` +
    `<Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message><Detail/></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

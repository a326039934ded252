import { CubedError } from './cubed-error';
import { goQuote, goTimeValue, goValue } from './go-format';
import { goYamlDocument } from './go-yaml';
import { isObject, sortKeysDeep } from './go-shapes';
import { formatRfc3339Nano, GO_ZERO_TIME, normalizeRfc3339, parseRfc3339, type ZonedTime } from './go-time';
import { jsonDocument } from './render';

/** An event of GET /1.0/events as lxc decodes it (api.Event). */
export interface LxdEvent {
  type: string;
  timestamp: string;
  metadata: unknown;
  location?: string;
  project?: string;
}

/**
 * Decodes one websocket message like lxc's event listener: a message that is not an event object, has no type or
 * has a timestamp that is not RFC 3339 is skipped (undefined).
 */
export function parseEvent(message: string): LxdEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (!isObject(raw)) return undefined;
  if (raw.type !== undefined && raw.type !== null && typeof raw.type !== 'string') return undefined;
  if (
    raw.timestamp !== undefined &&
    raw.timestamp !== null &&
    (typeof raw.timestamp !== 'string' || !parseRfc3339(raw.timestamp))
  )
    return undefined;
  const type = (raw.type as string | null | undefined) ?? '';
  if (type === '') return undefined;
  const location = text(raw.location);
  const project = text(raw.project);
  return {
    type,
    timestamp: typeof raw.timestamp === 'string' ? normalizeRfc3339(raw.timestamp) : GO_ZERO_TIME,
    metadata: raw.metadata ?? null,
    ...(location !== '' ? { location } : {}),
    ...(project !== '' ? { project } : {}),
  };
}

/**
 * `lxc monitor --format json|yaml`: the event re-encoded with every key sorted (lxc reads it back into a generic
 * value), followed by an empty line.
 */
export function formatEvent(event: LxdEvent, format: 'json' | 'yaml'): string {
  const value = sortKeysDeep(event);
  const render = format === 'json' ? jsonDocument(value).slice(0, -1) : goYamlDocument(value);
  return `${render}\n\n`;
}

/** logrus levels, most severe first (a message is shown when its level is at most the chosen one). */
const LEVELS = ['panic', 'fatal', 'error', 'warning', 'info', 'debug', 'trace'];

/** logrus.ParseLevel: a level's rank in LEVELS. */
export function parseLogLevel(name: string): number {
  const lower = name.toLowerCase();
  const rank = LEVELS.indexOf(lower === 'warn' ? 'warning' : lower);
  if (rank < 0) throw new CubedError(`not a valid logrus Level: ${goQuote(name)}`);
  return rank;
}

/**
 * `lxc monitor --pretty`: the event as a logrus text line (`time="…" level=info msg="…" key=value …`, fields sorted)
 * when its level is at most `maxLevel`, else undefined. Logging, lifecycle and operation events are supported;
 * another type is an error, as in lxc.
 */
export function prettyEvent(event: LxdEvent, maxLevel: number): string | undefined {
  const record = logRecord(event);
  const rank = parseLogLevel(record.level === 'dbug' ? 'debug' : record.level);
  if (rank > maxLevel) return undefined;
  const data = new Map(record.context);
  for (const clash of ['time', 'msg', 'level']) {
    if (data.has(clash)) {
      data.set(`fields.${clash}`, data.get(clash)!);
      data.delete(clash);
    }
  }
  const pairs: [string, string][] = [
    ['time', rfc3339Seconds(event.timestamp)],
    ['level', LEVELS[rank]],
  ];
  if (record.message !== '') pairs.push(['msg', record.message]);
  for (const key of [...data.keys()].sort()) pairs.push([key, data.get(key)!]);
  return pairs.map(([key, value]) => `${key}=${logfmtValue(value)}`).join(' ') + '\n';
}

interface LogRecord {
  level: string;
  message: string;
  context: [string, string][];
}

/** api.Event.ToLogging. */
function logRecord(event: LxdEvent): LogRecord {
  const metadata = isObject(event.metadata) ? event.metadata : {};
  const context = (value: unknown): [string, string][] =>
    isObject(value) ? Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : goValue(v)]) : [];
  switch (event.type) {
    case 'logging':
      return { level: text(metadata.level), message: text(metadata.message), context: context(metadata.context) };
    case 'lifecycle': {
      const requestor = isObject(metadata.requestor) ? metadata.requestor : undefined;
      const base = `Action: ${text(metadata.action)}, Source: ${text(metadata.source)}`;
      const message = requestor
        ? `${base}, Requestor: ${text(requestor.protocol)}/${text(requestor.username)} (${text(requestor.address)})`
        : base;
      return { level: 'info', message, context: context(metadata.context) };
    }
    case 'operation':
      return {
        level: 'info',
        message: `ID: ${text(metadata.id)}, Class: ${text(metadata.class)}, Description: ${text(metadata.description)}`,
        context: [
          ['CreatedAt', goTimeValue(typeof metadata.created_at === 'string' ? metadata.created_at : undefined)],
          ['UpdatedAt', goTimeValue(typeof metadata.updated_at === 'string' ? metadata.updated_at : undefined)],
          ['Status', text(metadata.status)],
          ['StatusCode', statusName(metadata.status_code)],
          ['Resources', goValue(isObject(metadata.resources) ? metadata.resources : {})],
          ['Metadata', goValue(isObject(metadata.metadata) ? metadata.metadata : {})],
          ['MayCancel', String(metadata.may_cancel === true)],
          ['Err', text(metadata.err)],
          ['Location', text(metadata.location)],
        ],
      };
    default:
      throw new CubedError(`Not supported event type: ${event.type}`);
  }
}

/** api.StatusCode's String(): the status name, or empty for an unknown code. */
const STATUS_NAMES: Record<number, string> = {
  100: 'Operation created',
  101: 'Started',
  102: 'Stopped',
  103: 'Running',
  104: 'Cancelling',
  105: 'Pending',
  106: 'Starting',
  107: 'Stopping',
  108: 'Aborting',
  109: 'Freezing',
  110: 'Frozen',
  111: 'Thawed',
  112: 'Error',
  113: 'Ready',
  200: 'Success',
  400: 'Failure',
  401: 'Cancelled',
};

function statusName(code: unknown): string {
  return typeof code === 'number' ? (STATUS_NAMES[code] ?? '') : '';
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** logrus quotes a value unless it is only letters, digits and `-._/@^+`. */
function logfmtValue(value: string): string {
  return /^[A-Za-z0-9\-._/@^+]*$/.test(value) ? value : goQuote(value);
}

/** time.RFC3339 (no fraction) in the timestamp's own offset. */
function rfc3339Seconds(timestamp: string): string {
  const t: ZonedTime = parseRfc3339(timestamp) ?? parseRfc3339(GO_ZERO_TIME)!;
  return formatRfc3339Nano({ ...t, nanos: 0 });
}

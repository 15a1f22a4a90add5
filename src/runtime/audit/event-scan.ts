/**
 * Reads the few fields of an audit event that usage analysis needs straight from the line's
 * bytes, validating the whole line as JSON on the way, without building the event: `JSON.parse`
 * makes 40-odd objects and strings per event (user agent, source IPs, groups, the authorizer's
 * reason, ...), and allocating and collecting them is most of its cost.
 *
 * The scan answers only when the answer is certainly the one `JSON.parse` followed by
 * `auditEventProblem` and `observedRequestOf` gives: a line it does not vouch for (invalid
 * JSON, a field of another type than the API server writes, a key written with escapes, a key
 * given twice, deep nesting, not an `Event`) is left to that slow path, which also decides
 * whether the line is malformed and why.
 */
import {
  allowedBy,
  rbacSeesName,
  urlPathOf,
  type AuditEventFields,
  type ObservedRequest,
} from '../../rbac/audit-event.js';
import { bytesAt } from './_bytes.js';
import { TextCache } from './text-cache.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Nesting deeper than this is left to `JSON.parse` (audit events nest a few levels). */
const MAX_DEPTH = 64;

/** The fields read, numbered; each object's fields are a range of them. */
const enum Field {
  // the event
  Kind,
  Verb,
  Stage,
  AuditId,
  RequestUri,
  StageTimestamp,
  RequestReceivedTimestamp,
  User,
  ImpersonatedUser,
  ObjectRef,
  ResponseStatus,
  Annotations,
  // user
  Username,
  Extra,
  // user.extra
  CredentialId,
  // impersonatedUser
  ImpersonatedUsername,
  // objectRef
  Resource,
  Namespace,
  Name,
  ApiGroup,
  Subresource,
  // responseStatus
  Code,
  // annotations
  Decision,
  IssuedCredentialId,
  Count,
}

/** Which object of the event a field belongs to, for reading its keys. */
const enum Scope {
  Event,
  User,
  Extra,
  ImpersonatedUser,
  ObjectRef,
  ResponseStatus,
  Annotations,
  Count,
}

/** The keys read: where, the key, its field, and for an object the scope of its own keys. */
const KEYS: readonly (readonly [Scope, string, Field, Scope?])[] = [
  [Scope.Event, 'kind', Field.Kind],
  [Scope.Event, 'verb', Field.Verb],
  [Scope.Event, 'stage', Field.Stage],
  [Scope.Event, 'auditID', Field.AuditId],
  [Scope.Event, 'requestURI', Field.RequestUri],
  [Scope.Event, 'stageTimestamp', Field.StageTimestamp],
  [Scope.Event, 'requestReceivedTimestamp', Field.RequestReceivedTimestamp],
  [Scope.Event, 'user', Field.User, Scope.User],
  [Scope.Event, 'impersonatedUser', Field.ImpersonatedUser, Scope.ImpersonatedUser],
  [Scope.Event, 'objectRef', Field.ObjectRef, Scope.ObjectRef],
  [Scope.Event, 'responseStatus', Field.ResponseStatus, Scope.ResponseStatus],
  [Scope.Event, 'annotations', Field.Annotations, Scope.Annotations],
  [Scope.User, 'username', Field.Username],
  [Scope.User, 'extra', Field.Extra, Scope.Extra],
  [Scope.Extra, 'authentication.kubernetes.io/credential-id', Field.CredentialId],
  [Scope.ImpersonatedUser, 'username', Field.ImpersonatedUsername],
  [Scope.ObjectRef, 'resource', Field.Resource],
  [Scope.ObjectRef, 'namespace', Field.Namespace],
  [Scope.ObjectRef, 'name', Field.Name],
  [Scope.ObjectRef, 'apiGroup', Field.ApiGroup],
  [Scope.ObjectRef, 'subresource', Field.Subresource],
  [Scope.ResponseStatus, 'code', Field.Code],
  [Scope.Annotations, 'authorization.k8s.io/decision', Field.Decision],
  [
    Scope.Annotations,
    'authentication.kubernetes.io/issued-credential-id',
    Field.IssuedCredentialId,
  ],
];

/** A key's bytes and the field it names. */
interface Key {
  readonly bytes: Uint8Array;
  readonly field: Field;
}

/** Per scope, per key length, the keys read (most lengths have none or one). */
const KEYS_BY_LENGTH: readonly (readonly (readonly Key[] | undefined)[])[] = Array.from(
  { length: Scope.Count },
  (_, scope) => {
    const byLength: Key[][] = [];
    for (const [s, key, field] of KEYS) {
      if (s !== scope) continue;
      (byLength[key.length] ??= []).push({ bytes: Buffer.from(key, 'latin1'), field });
    }
    return byLength;
  },
);

/** The scope of an object none of whose fields are read. */
const NO_SCOPE = -1;

/** Per field, the scope of the object it holds; `NO_SCOPE` for the fields that are not objects. */
const OBJECT_SCOPE: readonly (Scope | typeof NO_SCOPE)[] = Array.from(
  { length: Field.Count },
  (_, field) => KEYS.find(([, , f]) => f === field)?.[3] ?? NO_SCOPE,
);

/** Thrown inside a scan to leave the line to the slow path; never escapes `scan`. */
const GIVE_UP = new Error('left to JSON.parse');

/**
 * Scans lines one at a time; the outcome of a scan is valid until the next. It keeps its
 * state in fields, so that a line costs no allocation besides the strings it is asked for.
 */
export class AuditEventScanner implements AuditEventFields {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private end = 0;
  /** Per field: where its value starts (after the quote, for a string); -1 when absent. */
  private readonly start = new Int32Array(Field.Count);
  /** Per string field: where it ends (at the closing quote). */
  private readonly stop = new Int32Array(Field.Count);
  /** The string fields written with escapes, a bit each. */
  private escapedFields = 0;
  /** Whether the string just read holds an escape. */
  private escaped = false;
  /** `responseStatus.code`, when present. */
  private code = 0;
  /** The event's `stage`, once a scan vouched for the line. */
  stage = '';
  private readonly texts = new TextCache();

  /**
   * Reads `buf[start, end)`, one line. True when it is an audit event whose fields this scanner
   * vouches for (`stage`, `auditId()` and `request()` then give them); false when the line
   * must go through `JSON.parse` (it may be malformed, or merely unusual).
   */
  scan(buf: Buffer, start: number, end: number): boolean {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.start.fill(-1);
    this.escapedFields = 0;
    // White space between tokens, which the API server never writes, is left to JSON.parse too.
    if (start >= end || buf[start] !== OPEN_BRACE) return false;
    try {
      this.readObject(Scope.Event, 1);
    } catch (err) {
      if (err === GIVE_UP) return false;
      throw err;
    }
    if (this.pos !== end) return false;
    const s = this.start;
    // What `auditEventProblem` requires. An event without a user name (credentials refused,
    // rare) is left to JSON.parse too: its `sourceIPs`, which this scanner does not read, are kept.
    if (s[Field.User] < 0 || s[Field.Username] < 0 || s[Field.Verb] < 0 || s[Field.Stage] < 0)
      return false;
    if (s[Field.Kind] >= 0 && this.knownText(Field.Kind, KINDS) !== 'Event') return false;
    this.stage = this.knownText(Field.Stage, STAGES);
    return true;
  }

  auditId(): string {
    return this.text(Field.AuditId);
  }

  request(): ObservedRequest {
    // The same fields, in the same order, as `observedRequestOf` makes them.
    const s = this.start;
    const hasRef = s[Field.ObjectRef] >= 0;
    const impersonated = s[Field.ImpersonatedUser] >= 0;
    const verb = this.text(Field.Verb);
    const code = s[Field.Code] >= 0 ? this.code : 0;
    const decision = s[Field.Decision] >= 0 ? this.knownText(Field.Decision, DECISIONS) : undefined;
    const subresource = this.text(Field.Subresource);
    let path: string | undefined;
    let name = '';
    if (hasRef) name = rbacSeesName(verb, subresource) ? this.text(Field.Name) : '';
    else path = urlPathOf(this.text(Field.RequestUri));
    const request: { -readonly [K in keyof ObservedRequest]: ObservedRequest[K] } = {
      identity: impersonated ? this.text(Field.ImpersonatedUsername) : this.text(Field.Username),
      verb,
      apiGroup: hasRef ? this.text(Field.ApiGroup) : '',
      resource: hasRef ? this.text(Field.Resource) : '',
      subresource,
      namespace: hasRef ? this.text(Field.Namespace) : '',
      name,
      code,
      allowed: allowedBy(decision, code),
      time: this.text(Field.StageTimestamp) || this.text(Field.RequestReceivedTimestamp),
    };
    if (path !== undefined) request.path = path;
    if (impersonated) request.impersonatedBy = this.text(Field.Username);
    const credentialId = this.text(Field.CredentialId);
    if (credentialId) request.credentialId = credentialId;
    if (s[Field.IssuedCredentialId] >= 0)
      request.issuedCredentialId = this.text(Field.IssuedCredentialId);
    return request;
  }

  /**
   * A string field's text; `''` when absent. The texts of fields with few values (verbs,
   * resources, namespaces, identities, ...) come from `texts`: the same string for the same
   * bytes, no new one per event, and a string whose hash is known for the maps it is looked up
   * in.
   */
  private text(field: Field): string {
    const from = this.start[field];
    if (from < 0) return '';
    const to = this.stop[field];
    // Escapes are rare: the quoted text, as JSON, is the exact answer.
    if (this.escapedFields & (1 << field))
      return JSON.parse(this.buf.toString('utf8', from - 1, to + 1)) as string;
    if (MANY_VALUES & (1 << field)) return this.buf.toString('utf8', from, to);
    return this.texts.textOf(this.buf, from, to);
  }

  /**
   * The text of a field whose value is usually one of a few known ones: that one when its bytes
   * are, without decoding or looking them up.
   */
  private knownText(field: Field, known: readonly KnownText[]): string {
    const from = this.start[field];
    const length = this.stop[field] - from;
    if (from >= 0 && !(this.escapedFields & (1 << field)))
      for (const { bytes, text } of known)
        if (bytes.length === length && bytesAt(this.buf, from, bytes)) return text;
    return this.text(field);
  }

  /** Reads an object at `pos` (at its `{`), recording the fields of `scope` it holds. */
  private readObject(scope: Scope | typeof NO_SCOPE, depth: number): void {
    const buf = this.buf;
    const keys = scope === NO_SCOPE ? undefined : KEYS_BY_LENGTH[scope];
    let pos = this.pos + 1;
    if (buf[pos] === CLOSE_BRACE) {
      this.pos = pos + 1;
      return;
    }
    for (;;) {
      if (buf[pos] !== QUOTE) throw GIVE_UP;
      this.pos = pos;
      this.readString();
      let field = -1;
      if (keys !== undefined) {
        // A key written with escapes may spell a field's name, at any length: JSON.parse's
        // business.
        if (this.escaped) throw GIVE_UP;
        const candidates = keys[this.pos - pos - 2];
        if (candidates !== undefined) field = fieldOf(buf, pos + 1, candidates);
      }
      pos = this.pos;
      if (buf[pos] !== COLON) throw GIVE_UP;
      this.pos = pos + 1;
      if (field < 0) this.skipValue(depth);
      else this.readField(field as Field, depth);
      pos = this.pos;
      const c = buf[pos];
      if (c === COMMA) {
        pos++;
        continue;
      }
      if (c !== CLOSE_BRACE || pos >= this.end) throw GIVE_UP;
      this.pos = pos + 1;
      return;
    }
  }

  /** Reads the value of a field this scanner records. */
  private readField(field: Field, depth: number): void {
    // A key given twice: JSON.parse keeps the last, with all it holds. Left to it.
    if (this.start[field] >= 0) throw GIVE_UP;
    const buf = this.buf;
    const c = buf[this.pos];
    const scope = OBJECT_SCOPE[field];
    if (scope !== NO_SCOPE) {
      if (c !== OPEN_BRACE || depth >= MAX_DEPTH) throw GIVE_UP;
      this.start[field] = this.pos;
      this.readObject(scope, depth + 1);
      return;
    }
    if (field === Field.Code) {
      const from = this.pos;
      this.skipNumber();
      this.start[field] = from;
      this.code = numberAt(buf, from, this.pos);
      return;
    }
    if (field === Field.CredentialId) {
      // A list whose first item, a string, is the token's id: `["JTI=..."]`.
      if (c !== OPEN_BRACKET || depth >= MAX_DEPTH) throw GIVE_UP;
      this.pos++;
      this.readStringField(field);
      for (;;) {
        const d = buf[this.pos];
        if (d === CLOSE_BRACKET && this.pos < this.end) {
          this.pos++;
          return;
        }
        if (d !== COMMA) throw GIVE_UP;
        this.pos++;
        this.skipValue(depth + 1);
      }
    }
    this.readStringField(field);
  }

  /** Reads a string field's value at `pos`; anything but a string is left to JSON.parse. */
  private readStringField(field: Field): void {
    if (this.buf[this.pos] !== QUOTE) throw GIVE_UP;
    this.start[field] = this.pos + 1;
    this.readString();
    this.stop[field] = this.pos - 1;
    if (this.escaped) this.escapedFields |= 1 << field;
  }

  /**
   * Reads a string at `pos` (at its quote) to after its closing quote, as JSON allows it: no
   * control characters, only JSON's escapes. Bytes beyond ASCII are taken as UTF-8, as reading
   * the line as text would.
   */
  private readString(): void {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos + 1;
    let escaped = false;
    for (;;) {
      // Most bytes are plain: one table look-up each. The byte after a line is its newline (or
      // beyond the buffer), never plain: the loop stops there, and the test below sees it.
      while (PLAIN[buf[pos]] === 1) pos++;
      if (pos >= end) throw GIVE_UP;
      const c = buf[pos];
      if (c === QUOTE) break;
      if (c !== BACKSLASH) throw GIVE_UP; // a control character
      escaped = true;
      const e = buf[pos + 1];
      if (e === 0x75) {
        // \uXXXX
        if (pos + 5 >= end) throw GIVE_UP;
        for (let i = 2; i <= 5; i++) if (!isHex(buf[pos + i])) throw GIVE_UP;
        pos += 6;
      } else if (ESCAPED[e] === 1) {
        pos += 2;
      } else {
        throw GIVE_UP;
      }
    }
    this.pos = pos + 1;
    this.escaped = escaped;
  }

  /** Skips a number at `pos`, by JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
  private skipNumber(): void {
    const buf = this.buf;
    let pos = this.pos;
    if (buf[pos] === MINUS) pos++;
    if (buf[pos] === ZERO) pos++;
    else if (buf[pos] > ZERO && buf[pos] <= NINE) while (isDigit(buf[pos])) pos++;
    else throw GIVE_UP;
    if (buf[pos] === DOT) {
      pos++;
      if (!isDigit(buf[pos])) throw GIVE_UP;
      while (isDigit(buf[pos])) pos++;
    }
    if (buf[pos] === 0x65 || buf[pos] === 0x45) {
      pos++;
      if (buf[pos] === PLUS || buf[pos] === MINUS) pos++;
      if (!isDigit(buf[pos])) throw GIVE_UP;
      while (isDigit(buf[pos])) pos++;
    }
    if (pos > this.end) throw GIVE_UP;
    this.pos = pos;
  }

  /** Skips any JSON value at `pos`, validating it. */
  private skipValue(depth: number): void {
    const buf = this.buf;
    const c = buf[this.pos];
    if (c === QUOTE) {
      this.readString();
    } else if (c === OPEN_BRACE) {
      if (depth >= MAX_DEPTH) throw GIVE_UP;
      this.readObject(NO_SCOPE, depth + 1);
    } else if (c === OPEN_BRACKET) {
      if (depth >= MAX_DEPTH) throw GIVE_UP;
      this.pos++;
      if (buf[this.pos] === CLOSE_BRACKET) {
        this.pos++;
        return;
      }
      for (;;) {
        this.skipValue(depth + 1);
        const d = buf[this.pos];
        this.pos++;
        if (d === COMMA) continue;
        if (d !== CLOSE_BRACKET || this.pos > this.end) throw GIVE_UP;
        return;
      }
    } else if (c === MINUS || isDigit(c)) {
      this.skipNumber();
    } else if (c === 0x74) {
      this.skipWord(TRUE);
    } else if (c === 0x66) {
      this.skipWord(FALSE);
    } else if (c === 0x6e) {
      this.skipWord(NULL);
    } else {
      throw GIVE_UP;
    }
  }

  private skipWord(word: Uint8Array): void {
    if (this.pos + word.length > this.end || !bytesAt(this.buf, this.pos, word)) throw GIVE_UP;
    this.pos += word.length;
  }
}

/** A text and its bytes. */
interface KnownText {
  readonly text: string;
  readonly bytes: Uint8Array;
}

function knownTexts(...texts: string[]): readonly KnownText[] {
  return texts.map((text) => ({ text, bytes: Buffer.from(text, 'latin1') }));
}

const KINDS = knownTexts('Event');
const STAGES = knownTexts('ResponseComplete', 'ResponseStarted', 'RequestReceived', 'Panic');
const DECISIONS = knownTexts('allow', 'forbid');

/** Fields with a value per request, or nearly: their texts are not kept in a `TextCache`. */
const MANY_VALUES =
  (1 << Field.AuditId) |
  (1 << Field.RequestUri) |
  (1 << Field.StageTimestamp) |
  (1 << Field.RequestReceivedTimestamp) |
  (1 << Field.Name) |
  (1 << Field.CredentialId) |
  (1 << Field.IssuedCredentialId);

/** The value of a JSON number at `buf[from, to)`: its digits when an integer of up to 9, else `Number`. */
function numberAt(buf: Buffer, from: number, to: number): number {
  if (to - from > 9) return Number(buf.toString('latin1', from, to));
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = buf[i] - ZERO;
    if (d < 0 || d > 9) return Number(buf.toString('latin1', from, to));
    n = n * 10 + d;
  }
  return n;
}

/** The field whose key is at `buf[from, ...)`, among keys of its length; -1 for none. */
function fieldOf(buf: Buffer, from: number, candidates: readonly Key[]): number {
  for (const { bytes, field } of candidates) if (bytesAt(buf, from, bytes)) return field;
  return -1;
}

/** String bytes that need no look: not a quote, a backslash or a control character. */
const PLAIN = new Uint8Array(256).map((_, c) =>
  c === QUOTE || c === BACKSLASH || c < 0x20 ? 0 : 1,
);
/** The characters JSON allows after a backslash, but `u`. */
const ESCAPED = new Uint8Array(256).map((_, c) =>
  '"\\/bfnrt'.includes(String.fromCharCode(c)) ? 1 : 0,
);

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

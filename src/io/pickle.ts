/**
 * A Python pickle *interpreter* that never executes code (browser-safe).
 *
 * Python's `pickle.load` runs code: a pickle names globals (any importable function, e.g.
 * `os.system`) and calls them with arguments of its choosing (opcode REDUCE). This reader
 * interprets the opcodes of protocols 0–5 as a small stack machine that builds plain values
 * only — numbers, strings, bytes (`Uint8Array`), lists/tuples (arrays), dicts (`Map`), `null` —
 * and resolves every global through an allow-list given by the caller (a `Map` from
 * `module.name` to a pure JavaScript function that builds a value). A global that is not on the
 * list is refused, with a typed error naming it, at the opcode that names it: before anything
 * could be called, and nothing is ever looked up by a file-controlled property name.
 *
 * Limits: every value is built from bytes that are read (each opcode pushes at most one value
 * and reads at least one byte, so the stack and the containers hold at most `bytes.length`
 * values); memo entries are capped by `maxMemo`; integers longer than 256 bytes, text opcodes
 * of protocol 0 that quote strings (`STRING`, `UNICODE`), `INST`/`OBJ`, the extension registry
 * (`EXT1/2/4`) and out-of-band buffers are refused.
 *
 * Reference: CPython `Lib/pickle.py` and `Lib/pickletools.py` (opcode table), PEP 307 (protocol
 * 2), PEP 3154 (protocol 4), PEP 574 (protocol 5).
 */
import { OckhamError } from '../errors.js';

/** A reference to an allowed global, as pushed by GLOBAL / STACK_GLOBAL. */
export interface PickleGlobalRef {
  readonly kind: 'global';
  /** `module.name` as the pickle spells it. */
  readonly name: string;
}

/** What an allowed global may do. */
export interface PickleGlobal {
  /**
   * Builds the value of `global(*args)` (REDUCE) or `global.__new__(global, *args)` (NEWOBJ).
   * Absent: the global may only be referenced (e.g. a storage type inside a persistent id).
   * Must be a pure function of its arguments; throw an OckhamError to refuse them.
   */
  call?: (args: unknown[]) => unknown;
}

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** Allowed globals, keyed `module.name`. Anything else is refused. Default: none. */
  globals?: ReadonlyMap<string, PickleGlobal>;
  /** Resolves a persistent id (BINPERSID / PERSID); absent: persistent ids are refused. */
  persistentLoad?: (pid: unknown) => unknown;
  /** Byte offset where the pickle starts (default 0). */
  start?: number;
  /** Most memo entries (default 2²⁰). */
  maxMemo?: number;
  /** Name used in error messages (default `'bytes'`). */
  argument?: string;
}

/** Result of {@link unpickle}: the value and the offset just past the STOP opcode. */
export interface UnpickleResult {
  value: unknown;
  end: number;
}

/**
 * Python 2 module names that protocol-2 pickles written by Python 3 use (`fix_imports`), mapped
 * back for error messages only (CPython Lib/_compat_pickle.py, a few of them).
 */
const PY2_MODULES: ReadonlyMap<string, string> = new Map([
  ['__builtin__', 'builtins'],
  ['commands', 'subprocess'],
  ['copy_reg', 'copyreg'],
  ['posix', 'os'],
  ['nt', 'os'],
]);

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Longest LONG1/LONG4 integer accepted, bytes (Python ints in checkpoints are a few bytes). */
const MAX_LONG_BYTES = 256;

/** Type guard for {@link PickleGlobalRef}. @internal */
export function isGlobalRef(v: unknown): v is PickleGlobalRef {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && (v as PickleGlobalRef).kind === 'global';
}

/**
 * Interprets one pickle and returns the value it builds, without executing anything.
 *
 * Values: Python `int` → number (bigint beyond 2⁵³), `float` → number, `str` → string,
 * `bytes`/`bytearray` → Uint8Array (a view on `bytes` for BINBYTES: do not write to it), `None` →
 * null, `bool` → boolean, `list`/`tuple`/`set` → array, `dict` → Map; globals → whatever the
 * allow-list's `call` returns; BUILD (`__setstate__`) is ignored (no object has Python state here).
 *
 * @param bytes - The pickle (and possibly more after its STOP).
 * @param options - The allow-list, the persistent-id resolver and limits.
 * @returns `{ value, end }`.
 * @throws {OckhamError} UNSUPPORTED naming the global for a global not on the allow-list (or
 *   called when it may only be referenced), and for refused opcodes; PARSE_ERROR for truncated
 *   or malformed pickles; OUT_OF_RANGE past `maxMemo`.
 * @example
 * import { unpickle } from 'ockham';
 * // pickle.dumps({'a': [1, 2.5]}, protocol=2)
 * const bytes = new Uint8Array([0x80, 2, 0x7d, 0x71, 0, 0x58, 1, 0, 0, 0, 0x61, 0x71, 1, 0x5d, 0x71, 2, 0x28,
 *   0x4b, 1, 0x47, 0x40, 4, 0, 0, 0, 0, 0, 0, 0x65, 0x73, 0x2e]);
 * unpickle(bytes).value; // Map { 'a' => [1, 2.5] }
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions = {}): UnpickleResult {
  const argument = options.argument ?? 'bytes';
  const globals = options.globals ?? new Map<string, PickleGlobal>();
  const maxMemo = options.maxMemo ?? 1 << 20;
  const b = bytes;
  const n = b.length;
  let pos = options.start ?? 0;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();

  const fail: (message: string, at?: number) => never = (message, at = pos) => {
    throw new OckhamError('PARSE_ERROR', argument, `pickle: ${message} (at byte ${at})`);
  };
  const need = (k: number): void => {
    if (k > n - pos) fail(`truncated: needs ${k} more bytes, ${n - pos} left`);
  };
  const u8 = (): number => {
    need(1);
    return b[pos++];
  };
  const u16 = (): number => {
    need(2);
    const v = dv.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = dv.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const lo = dv.getUint32(pos, true);
    const hi = dv.getUint32(pos + 4, true);
    pos += 8;
    if (hi > 0x1fffff) fail('8-byte length beyond 2⁵³');
    return hi * 4294967296 + lo;
  };
  const take = (len: number): Uint8Array => {
    need(len);
    const v = b.subarray(pos, pos + len);
    pos += len;
    return v;
  };
  const line = (): string => {
    const at = pos;
    let e = pos;
    while (e < n && b[e] !== 0x0a) e++;
    if (e >= n) fail('text argument without its newline', at);
    const s = latin1.decode(b.subarray(pos, e));
    pos = e + 1;
    return s;
  };
  const text = (len: number): string => {
    const at = pos;
    const raw = take(len);
    try {
      return utf8.decode(raw);
    } catch {
      return fail('string is not valid UTF-8', at);
    }
  };
  const pop = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && marks[marks.length - 1] === stack.length)) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0 || (marks.length > 0 && marks[marks.length - 1] === stack.length)) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    if (marks.length === 0) fail('no MARK to pop to');
    const m = marks.pop()!;
    return stack.splice(m);
  };
  const push = (v: unknown): void => {
    stack.push(v);
  };
  const memoPut = (key: number, at: number): void => {
    if (!memo.has(key) && memo.size >= maxMemo) {
      throw new OckhamError('OUT_OF_RANGE', argument, `pickle: more than ${maxMemo} memo entries (at byte ${at})`);
    }
    memo.set(key, top());
  };
  const memoGet = (key: number, at: number): unknown => {
    if (!memo.has(key)) fail(`memo key ${key} was never stored`, at);
    return memo.get(key);
  };
  const refuse: (what: string, at: number) => never = (what, at) => {
    throw new OckhamError('UNSUPPORTED', argument, `pickle: ${what} (at byte ${at}); ockham interprets pickles without running code and refuses this`);
  };
  const resolveGlobal = (module: string, name: string, at: number): PickleGlobalRef => {
    const full = `${module}.${name}`;
    if (!globals.has(full)) {
      const py3 = PY2_MODULES.get(module);
      const alias = py3 ? ` (Python 3: ${JSON.stringify(`${py3}.${name}`)})` : '';
      throw new OckhamError(
        'UNSUPPORTED',
        argument,
        `pickle: refused global ${JSON.stringify(full)}${alias} (at byte ${at}): not one of the ${globals.size} globals allowed here (torch.save's tensor and state-dict globals); Python's pickle would import and possibly call it, which can run arbitrary code`,
      );
    }
    return Object.freeze({ kind: 'global' as const, name: full });
  };
  const call = (fn: unknown, args: unknown, at: number): unknown => {
    if (!isGlobalRef(fn)) fail('REDUCE/NEWOBJ on something that is not a global', at);
    if (!Array.isArray(args)) fail(`arguments of ${fn.name} are not a tuple`, at);
    const g = globals.get(fn.name);
    if (!g?.call) refuse(`global ${JSON.stringify(fn.name)} may be referenced but not called`, at);
    return g.call(args);
  };
  const intFromBytes = (raw: Uint8Array): number | bigint => {
    if (raw.length === 0) return 0;
    if (raw.length <= 6) {
      let v = 0;
      for (let i = raw.length - 1; i >= 0; i--) v = v * 256 + raw[i];
      if (raw[raw.length - 1] & 0x80) v -= 2 ** (8 * raw.length);
      return v;
    }
    let hex = '';
    for (let i = raw.length - 1; i >= 0; i--) hex += raw[i].toString(16).padStart(2, '0');
    let v = BigInt('0x' + hex);
    if (raw[raw.length - 1] & 0x80) v -= 1n << BigInt(8 * raw.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const decimal = (s: string, at: number): number | bigint => {
    const t = s.endsWith('L') ? s.slice(0, -1) : s;
    if (!/^[+-]?\d{1,300}$/.test(t)) fail(`bad integer ${JSON.stringify(s.slice(0, 40))}`, at);
    const v = BigInt(t);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };

  for (;;) {
    const at = pos;
    if (pos >= n) fail('ended without STOP');
    const op = b[pos++];
    switch (op) {
      case 0x80: {
        // PROTO
        const v = u8();
        if (v > 5) refuse(`protocol ${v} is newer than 5`, at);
        break;
      }
      case 0x95: // FRAME: a length prefix only; the frame's contents are ordinary opcodes.
        u64();
        break;
      case 0x2e: // STOP '.'
        if (stack.length !== 1 || marks.length !== 0) fail(`STOP with ${stack.length} values and ${marks.length} marks on the stack`, at);
        return { value: stack[0], end: pos };
      case 0x28: // MARK '('
        marks.push(stack.length);
        break;
      case 0x30: // POP '0'
        if (marks.length > 0 && marks[marks.length - 1] === stack.length) marks.pop();
        else pop();
        break;
      case 0x31: // POP_MARK '1'
        popMark();
        break;
      case 0x32: // DUP '2'
        push(top());
        break;
      // --- scalars
      case 0x4e: // NONE 'N'
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4a: // BININT 'J'
        need(4);
        push(dv.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b: // BININT1 'K'
        push(u8());
        break;
      case 0x4d: // BININT2 'M'
        push(u16());
        break;
      case 0x8a: {
        // LONG1
        const len = u8();
        push(intFromBytes(take(len)));
        break;
      }
      case 0x8b: {
        // LONG4
        need(4);
        const len = dv.getInt32(pos, true);
        pos += 4;
        if (len < 0 || len > MAX_LONG_BYTES) refuse(`integer of ${len} bytes (more than ${MAX_LONG_BYTES})`, at);
        push(intFromBytes(take(len)));
        break;
      }
      case 0x49: {
        // INT 'I' (text): also True/False in protocol 0
        const s = line();
        if (s === '01') push(true);
        else if (s === '00') push(false);
        else push(decimal(s, at));
        break;
      }
      case 0x4c: // LONG 'L' (text)
        push(decimal(line(), at));
        break;
      case 0x47: // BINFLOAT 'G' (big-endian)
        need(8);
        push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x46: {
        // FLOAT 'F' (text)
        const s = line();
        if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|nan)$/i.test(s)) fail(`bad float ${JSON.stringify(s.slice(0, 40))}`, at);
        push(Number(s.replace(/inf/i, 'Infinity').replace(/nan/i, 'NaN')));
        break;
      }
      // --- strings and bytes
      case 0x58: // BINUNICODE 'X'
        push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(text(u8()));
        break;
      case 0x8d: // BINUNICODE8
        push(text(u64()));
        break;
      case 0x54: {
        // BINSTRING 'T' (Python 2 str; decoded as latin-1)
        need(4);
        const len = dv.getInt32(pos, true);
        pos += 4;
        if (len < 0) fail('negative string length', at);
        push(latin1.decode(take(len)));
        break;
      }
      case 0x55: // SHORT_BINSTRING 'U'
        push(latin1.decode(take(u8())));
        break;
      case 0x42: // BINBYTES 'B'
        push(take(u32()));
        break;
      case 0x43: // SHORT_BINBYTES 'C'
        push(take(u8()));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        push(take(u64()));
        break;
      // --- containers
      case 0x7d: // EMPTY_DICT '}'
        push(new Map());
        break;
      case 0x5d: // EMPTY_LIST ']'
      case 0x29: // EMPTY_TUPLE ')'
      case 0x8f: // EMPTY_SET
        push([]);
        break;
      case 0x85: // TUPLE1
        push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const y = pop();
        const x = pop();
        push([x, y]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const z = pop();
        const y = pop();
        const x = pop();
        push([x, y, z]);
        break;
      }
      case 0x74: // TUPLE 't'
      case 0x6c: // LIST 'l'
      case 0x91: // FROZENSET
        push(popMark());
        break;
      case 0x64: {
        // DICT 'd'
        const items = popMark();
        if (items.length % 2 !== 0) fail('DICT with an odd number of items', at);
        const d = new Map<unknown, unknown>();
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        push(d);
        break;
      }
      case 0x61: {
        // APPEND 'a'
        const v = pop();
        const list = top();
        if (!Array.isArray(list) || Object.isFrozen(list)) fail('APPEND to something that is not a list', at);
        list.push(v);
        break;
      }
      case 0x65: // APPENDS 'e'
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list) || Object.isFrozen(list)) fail('APPENDS/ADDITEMS to something that is not a list or set', at);
        for (const v of items) list.push(v);
        break;
      }
      case 0x73: {
        // SETITEM 's'
        const v = pop();
        const k = pop();
        const d = top();
        if (!(d instanceof Map)) fail('SETITEM on something that is not a dict', at);
        d.set(k, v);
        break;
      }
      case 0x75: {
        // SETITEMS 'u'
        const items = popMark();
        const d = top();
        if (!(d instanceof Map)) fail('SETITEMS on something that is not a dict', at);
        if (items.length % 2 !== 0) fail('SETITEMS with an odd number of items', at);
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        break;
      }
      // --- memo
      case 0x71: // BINPUT 'q'
        memoPut(u8(), at);
        break;
      case 0x72: // LONG_BINPUT 'r'
        memoPut(u32(), at);
        break;
      case 0x70: {
        // PUT 'p'
        const k = decimal(line(), at);
        if (typeof k !== 'number' || k < 0) fail('bad memo key', at);
        memoPut(k, at);
        break;
      }
      case 0x94: // MEMOIZE
        memoPut(memo.size, at);
        break;
      case 0x68: // BINGET 'h'
        push(memoGet(u8(), at));
        break;
      case 0x6a: // LONG_BINGET 'j'
        push(memoGet(u32(), at));
        break;
      case 0x67: {
        // GET 'g'
        const k = decimal(line(), at);
        if (typeof k !== 'number') fail('bad memo key', at);
        push(memoGet(k, at));
        break;
      }
      // --- globals and calls
      case 0x63: {
        // GLOBAL 'c': "module\nname\n"
        const module = line();
        const name = line();
        push(resolveGlobal(module, name, at));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings', at);
        push(resolveGlobal(module, name, at));
        break;
      }
      case 0x52: {
        // REDUCE 'R'
        const args = pop();
        const fn = pop();
        push(call(fn, args, at));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        push(call(cls, args, at));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (!(kwargs instanceof Map) || kwargs.size !== 0) refuse('NEWOBJ_EX with keyword arguments', at);
        push(call(cls, args, at));
        break;
      }
      case 0x62: // BUILD 'b': __setstate__ — nothing built here has Python state; the state is dropped.
        pop();
        top();
        break;
      case 0x51: {
        // BINPERSID 'Q'
        const pid = pop();
        if (!options.persistentLoad) refuse('persistent id outside a checkpoint', at);
        push(options.persistentLoad(pid));
        break;
      }
      case 0x50: {
        // PERSID 'P' (text id)
        const pid = line();
        if (!options.persistentLoad) refuse('persistent id outside a checkpoint', at);
        push(options.persistentLoad(pid));
        break;
      }
      case 0x69: // INST 'i'
        refuse('opcode INST (instantiates an arbitrary class)', at);
        break;
      case 0x6f: // OBJ 'o'
        refuse('opcode OBJ (instantiates an arbitrary class)', at);
        break;
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: // EXT4
        refuse('extension-registry opcodes (EXT1/2/4 name globals indirectly)', at);
        break;
      case 0x97: // NEXT_BUFFER
      case 0x98: // READONLY_BUFFER
        refuse('out-of-band buffers (protocol 5)', at);
        break;
      case 0x53: // STRING 'S'
      case 0x56: // UNICODE 'V'
        refuse('quoted text strings of protocol 0', at);
        break;
      default:
        fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`, at);
    }
  }
}

/**
 * The secret scanner: lists every file and folder under a directory that
 * Codex must not read, so the permission profile can deny each one ("none")
 * while Codex works on the rest of the repository. A tree that could not be
 * fully checked is reported `incomplete` — never waved through.
 *
 * ## What is hidden
 * 1. **Names** ({@linkcode isSecretName}, case-insensitive; see
 *    `secret_names.ts`): dotenv files (not templates), SSH keys, TLS/PKCS
 *    keys and keystores, registry and VCS credentials, cloud and cluster
 *    credentials, database password files, Terraform state and variables,
 *    Vault tokens, htpasswd files, keychains, shell histories. A folder
 *    whose whole content is secret (`.ssh`, `.gnupg`, `.aws`, `.azure`,
 *    `.docker`, `.kube`, `.terraform`, `.config/gcloud`, …) is hidden as one
 *    entry and not descended into. If the scanned directory itself lies in
 *    such a folder, it is hidden as a whole.
 * 2. **Content**, where a name cannot tell: a regular file of 27 bytes (the
 *    shortest marker) to {@linkcode SecretScannerOptions.sniffBytes}
 *    (64 KiB) is read and hidden if it holds a PEM/OpenSSH/PGP/PuTTY
 *    private-key block, a Google credential JSON (`"type": "service_account"`
 *    or `"authorized_user"` with `"private_key"`, `"refresh_token"` or
 *    `"client_secret"`), or — for `config`, `.gitconfig` and `.gitmodules` —
 *    a URL carrying credentials (`https://user:token@host`, a 20+ character
 *    token as user name, or an `extraheader = AUTHORIZATION:` line).
 *    Which files are read: every file whose extension is not program source,
 *    markup, media or an archive (`SOURCE_EXTENSIONS`: `.ts`, `.md`, `.png`,
 *    …), so `key.txt`, `notes`, `backup.json`, `server.crt`, `x.asc` are read
 *    and a key quoted inside `fixture.ts` or `README.md` is not (set
 *    {@linkcode SecretScannerOptions.sniffAllFiles} to read those too).
 *    A private key, service-account JSON or git config is a few KiB at most,
 *    so bigger files are not read; loose git objects (`.git/objects/`) are
 *    zlib-deflated, so a plain-text sniff proves nothing there and they are
 *    not read either (a secret committed to git history is out of scope).
 *    Measured on 100k files in 10k folders, 20% of them read (as in a
 *    typical `node_modules`: about 10% `.json`, 7% without extension): the
 *    walk that lstats every entry takes 1.05 s, the reads add 25% (1.3 s);
 *    reading every file would take 2.2 s (`find -printf` with stat: 0.6 s).
 *    Mentioning "private key" in prose is fine: only the armour line counts.
 * 3. **Owner patterns** ({@linkcode SecretScannerOptions.patterns}).
 * 4. **Hard links**: a regular file with more than one link might be a
 *    second name of a file outside the tree. The (device, inode) pairs seen
 *    in the tree are counted; unless the count equals the link count, every
 *    name seen is hidden. When every link is inside, its names are hidden
 *    only if one of them is secret (then all of them). Files inside a hidden
 *    folder are not visited, so a name outside it that shares their inode
 *    counts short and is hidden: skipping hidden folders cannot let a
 *    secret through. Package managers (Deno, pnpm) and `git clone` of a
 *    local path hard-link every file from a store outside the tree, so a
 *    folder whose every entry is hidden is hidden as one path (see
 *    `collapse`): one entry per package instead of thousands of files.
 * 5. **Symlinks** are never followed and never listed: one pointing out of
 *    the tree is unreadable through the profile anyway, one pointing at a
 *    secret inside resolves to the hidden real path.
 * 6. **Special files** (sockets, FIFOs, devices) are hidden: a socket may
 *    be an agent or a Docker daemon, a device node the raw disk.
 *
 * Everything is scanned, `.git/`, `node_modules/` and `dist/` included. A
 * file that cannot be opened is hidden (nothing is lost: Codex could not
 * read it either); a directory that cannot be read, or any bound
 * (entries, time, hidden paths), makes the scan `incomplete` with a reason
 * naming the path or the bound.
 *
 * ## Cache
 * Each scanned directory keeps one record per folder: its device, inode,
 * mtime and ctime when read, and what was found in it. The next scan lstats
 * every folder (not every file) and re-reads only folders whose stat
 * changed: creating, deleting or renaming an entry changes its folder's
 * mtime, so a new secret anywhere is found on the next scan. A folder whose
 * mtime lay within two seconds of when it was read could change again within
 * the same timestamp tick, so it is re-read next time too (as git does for
 * racy index entries). Concurrent scans of one directory share one walk.
 *
 * What the cache does not see until a folder is re-read: a file's content
 * edited in place (a key pasted into an existing `notes.txt`), a new hard
 * link made from outside the tree to a file inside it, a filesystem that
 * does not update folder mtimes, and a folder mtime deliberately set back
 * to its old value within the same second. These are bounded by
 * {@linkcode SecretScannerOptions.cacheTtlMs} (5 minutes): a folder record
 * older than that is re-read, so the whole tree is re-checked at least that
 * often.
 *
 * A scan that hits a bound keeps the records of the folders it did read,
 * so a retry of a tree too big for one time budget continues where the
 * last attempt stopped.
 *
 * The walk reads folders synchronously (faster than the async API) and
 * yields to the event loop (`setTimeout(0)`, which lets pending I/O run)
 * every 25 ms, so the server stays responsive during a scan.
 *
 * @module
 */
import { basename, isAbsolute } from "node:path";
import { extensionOf, isSecretEntry, SOURCE_EXTENSIONS } from "./secret_names.ts";
import { compileSecretPattern, matchesSecretPattern, type SecretPattern } from "./secret_patterns.ts";

export { isSecretName } from "./secret_names.ts";
export { validateSecretPattern } from "./secret_patterns.ts";

/** Options for {@linkcode SecretScanner}. */
export interface SecretScannerOptions {
  /**
   * The owner's extra globs (`--secret-pattern`, e.g. `"*.secret"`,
   * `"config/prod/**"`), matched case-insensitively against the base name
   * and against the path relative to the scanned directory. Checked with
   * {@linkcode validateSecretPattern}; an invalid one throws `TypeError`.
   * @default []
   */
  patterns?: readonly string[];
  /** Most directory entries examined; more makes the scan incomplete. @default 200000 */
  maxEntries?: number;
  /** Longest one scan may take; longer makes it incomplete. @default 5000 */
  timeBudgetMs?: number;
  /**
   * Most paths to hide (each becomes a profile entry), counted after wholly hidden folders collapse into one;
   * more makes the scan incomplete. @default 500 (see `MAX_HIDDEN`)
   */
  maxHidden?: number;
  /** Largest file whose content is sniffed for keys, in bytes. @default 65536 */
  sniffBytes?: number;
  /** Sniff program source and documents too (`.ts`, `.md`, …), at a cost. @default false */
  sniffAllFiles?: boolean;
  /** Longest a folder's cached record is trusted before it is re-read. @default 300000 */
  cacheTtlMs?: number;
  /** Most scanned directories whose records are kept (least recently used go first). @default 16 */
  maxCachedTrees?: number;
  /** Milliseconds clock for the cache TTL (tests). @default Date.now */
  clock?: () => number;
}

/** The outcome of {@linkcode SecretScanner.scan}. */
export type SecretScan =
  /** `hidden`: absolute paths to deny, sorted; `entries`: directory entries in the tree. */
  | { status: "complete"; hidden: readonly string[]; entries: number }
  /** The tree could not be fully checked; `reason` names the path or the bound. */
  | { status: "incomplete"; reason: string; entries: number };

/** What one folder held when it was read. */
interface DirRecord {
  readonly dev: number;
  readonly ino: number;
  readonly mtime: number;
  readonly ctime: number;
  /** The folder changed so close to its read that a later change may keep the same mtime. */
  readonly racy: boolean;
  /** `clock()` when read. */
  readonly readAt: number;
  readonly entries: number;
  /** Entries that keep the folder visible unless hidden: all but symlinks and empty files. */
  readonly real: number;
  /** Empty regular files (nothing to read: they keep no folder visible, e.g. Deno's `.initialized`). */
  readonly empty: ReadonlySet<string> | undefined;
  /** Names in this folder to hide. */
  readonly hidden: readonly string[];
  /** Sub-folders to descend into. */
  readonly subdirs: readonly string[];
  /** Regular files with more than one link. */
  readonly links: readonly LinkEntry[];
}

interface LinkEntry {
  readonly name: string;
  /** `${dev}:${ino}` */
  readonly key: string;
  readonly nlink: number;
  readonly secret: boolean;
}

/** Stops a walk with the reason it is incomplete. */
class Incomplete extends Error {}

const EMPTY: readonly never[] = Object.freeze([]);
/** How close to its read a folder mtime counts as racy (covers 2 s FAT/SMB timestamps). */
const RACY_MS = 2000;
/** Yield to the event loop after this much synchronous work (a `setTimeout(0)` yield costs 1–3 ms). */
const SLICE_MS = 25;
/**
 * Default most paths to hide. Measured with Codex 0.171.0 on the 2-core test machine under load: every command's
 * sandbox grows with the profile (read-only, N hidden files: 100 → +1 s, 300 → +5 s, 600 → +25–45 s, 1000 → over
 * 60 s); beyond a few hundred the turn is unusable, so the scan says so instead.
 */
const MAX_HIDDEN = 500;
/** The shortest content marker, `-----BEGIN PRIVATE KEY-----`. */
const MIN_SNIFF_BYTES = 27;

const PRIVATE_KEY =
  /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----|PuTTY-User-Key-File-\d+:/;
const GOOGLE_CREDENTIAL_TYPE = /"type"\s*:\s*"(?:service_account|authorized_user)"/;
const GOOGLE_CREDENTIAL_SECRET = /"(?:private_key|refresh_token|client_secret)"\s*:/;
const URL_CREDENTIALS =
  /[a-z][a-z0-9+.-]*:\/\/[^\s/@:"'<>]+:[^\s/@"'<>]+@|https?:\/\/[\w.~-]{20,}@|extraheader\s*=\s*authorization:/i;
const GIT_CONFIG_NAMES = new Set(["config", ".gitconfig", ".gitmodules"]);
const GIT_OBJECTS = /(?:^|\/)\.git\/(?:.*\/)?objects(?:\/|$)/;

/**
 * `node:fs`, for its `open(2)` flags: `O_NOFOLLOW` (a symlink is not sniffed through) and `O_NONBLOCK` (a FIFO
 * does not hang the scan), which `Deno.open` lacks. Its polyfill costs ~20 ms to load, so the first scan loads
 * it rather than the bridge's start.
 */
type NodeFs = typeof import("node:fs");
let nodeFs: Promise<NodeFs> | undefined;

function openFlags({ constants }: NodeFs): number {
  return constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result < 0) {
    throw new RangeError(`Option "${name}" must be a number ≥ 0, got ${value}`);
  }
  return result;
}

/** Deno's error class name (`NotFound`, `PermissionDenied`, `NotCapable`), else the errno code. */
function errorName(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name !== "Error" ? error.name : ((error as { code?: string }).code ?? error.name);
}

function isNotFound(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound || (error as { code?: string })?.code === "ENOENT";
}

/**
 * Finds every secret under a directory (see the module doc for the rules),
 * caching per directory.
 *
 * @example
 * ```ts
 * const scanner = new SecretScanner({ patterns: ["*.secret"] });
 * const scan = await scanner.scan(await Deno.realPath("."));
 * if (scan.status === "incomplete") throw new Error(scan.reason);
 * console.log(scan.hidden); // ["/repo/.env", "/repo/.ssh", …]
 * ```
 */
export class SecretScanner {
  readonly #patterns: readonly SecretPattern[];
  readonly #maxEntries: number;
  readonly #timeBudgetMs: number;
  readonly #maxHidden: number;
  readonly #sniffBytes: number;
  readonly #sniffAllFiles: boolean;
  readonly #cacheTtlMs: number;
  readonly #maxCachedTrees: number;
  readonly #clock: () => number;
  readonly #cache = new Map<string, Map<string, DirRecord>>();
  readonly #inFlight = new Map<string, Promise<SecretScan>>();
  readonly #buffer: Uint8Array;
  /** Set by the first scan, before any file is sniffed. */
  #fs?: NodeFs;
  readonly #decoder = new TextDecoder("latin1");

  /** Validates the options once; throws `TypeError` for a bad pattern, `RangeError` for a bad bound. */
  constructor(options: SecretScannerOptions = {}) {
    this.#patterns = Object.freeze((options.patterns ?? []).map(compileSecretPattern));
    this.#maxEntries = nonNegative("maxEntries", options.maxEntries, 200_000);
    this.#timeBudgetMs = nonNegative("timeBudgetMs", options.timeBudgetMs, 5000);
    this.#maxHidden = nonNegative("maxHidden", options.maxHidden, MAX_HIDDEN);
    this.#sniffBytes = nonNegative("sniffBytes", options.sniffBytes, 64 * 1024);
    this.#sniffAllFiles = options.sniffAllFiles ?? false;
    this.#cacheTtlMs = nonNegative("cacheTtlMs", options.cacheTtlMs, 5 * 60_000);
    this.#maxCachedTrees = nonNegative("maxCachedTrees", options.maxCachedTrees, 16);
    this.#clock = options.clock ?? Date.now;
    this.#buffer = new Uint8Array(this.#sniffBytes);
  }

  /**
   * Scans `dir` (an absolute realpath). Cached per directory: only folders
   * whose stat changed are re-read (see the module doc); concurrent calls
   * for the same directory share one scan. Rejects only for a relative path.
   */
  scan(dir: string): Promise<SecretScan> {
    if (dir.includes("\0")) {
      return Promise.reject(
        new TypeError(`Cannot scan "${dir.replaceAll("\0", "\\0")}": the path contains a NUL byte`),
      );
    }
    if (!isAbsolute(dir)) return Promise.reject(new TypeError(`Cannot scan "${dir}": the path must be absolute`));
    const root = dir.replace(/(?<=.)\/+$/, "");
    const running = this.#inFlight.get(root);
    if (running) return running;
    const scan = this.#run(root).finally(() => this.#inFlight.delete(root));
    this.#inFlight.set(root, scan);
    return scan;
  }

  /** Forgets every cached record (the next scan of each directory reads everything). */
  clearCache(): void {
    this.#cache.clear();
  }

  async #run(root: string): Promise<SecretScan> {
    this.#fs ??= await (nodeFs ??= import("node:fs"));
    const started = performance.now();
    let lastYield = started;
    const old = this.#cache.get(root) ?? new Map<string, DirRecord>();
    const next = new Map<string, DirRecord>();
    /** Per folder (relative path), the names in it to hide. */
    const hidden = new Map<string, Set<string>>();
    const hide = (rel: string, name: string) => {
      const names = hidden.get(rel);
      if (names) names.add(name);
      else hidden.set(rel, new Set([name]));
    };
    const links = new Map<string, { nlink: number; names: [rel: string, name: string][]; secret: boolean }>();
    let entries = 0;
    try {
      let rootStat: Deno.FileInfo;
      try {
        rootStat = Deno.lstatSync(root);
      } catch (error) {
        throw new Incomplete(`"${root}" cannot be read (${errorName(error)})`);
      }
      if (!rootStat.isDirectory) throw new Incomplete(`"${root}" is not a directory`);
      if (insideSecretFolder(root)) return { status: "complete", hidden: Object.freeze([root]), entries: 0 };

      const pending: { rel: string; stat: Deno.FileInfo }[] = [{ rel: "", stat: rootStat }];
      while (pending.length > 0) {
        const { rel, stat } = pending.pop()!;
        let record = old.get(rel);
        let subStats: (Deno.FileInfo | undefined)[] | undefined;
        if (record === undefined || !this.#fresh(record, stat)) {
          ({ record, subStats } = this.#readDir(root, rel, stat, started));
        }
        next.set(rel, record);
        entries += record.entries;
        if (entries > this.#maxEntries) throw new Incomplete(`more than ${this.#maxEntries} entries under "${root}"`);
        for (const name of record.hidden) hide(rel, name);
        for (const link of record.links) {
          const seen = links.get(link.key);
          if (seen) {
            seen.nlink = Math.max(seen.nlink, link.nlink);
            seen.names.push([rel, link.name]);
            seen.secret ||= link.secret;
          } else {
            links.set(link.key, { nlink: link.nlink, names: [[rel, link.name]], secret: link.secret });
          }
        }
        for (let i = 0; i < record.subdirs.length; i++) {
          const subRel = rel === "" ? record.subdirs[i] : `${rel}/${record.subdirs[i]}`;
          let subStat = subStats?.[i];
          if (subStat === undefined) {
            try {
              subStat = Deno.lstatSync(child(root, subRel));
            } catch (error) {
              // Gone since its folder was read: that folder's mtime changed, so the next scan re-reads it.
              if (isNotFound(error)) continue;
              throw new Incomplete(`"${child(root, subRel)}" cannot be checked (${errorName(error)})`);
            }
          }
          // Replaced by a file or a symlink since: likewise caught by the next scan.
          if (subStat.isDirectory) pending.push({ rel: subRel, stat: subStat });
        }
        const now = performance.now();
        if (now - started > this.#timeBudgetMs) {
          throw new Incomplete(`the scan of "${root}" took longer than ${this.#timeBudgetMs} ms`);
        }
        if (now - lastYield > SLICE_MS) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          lastYield = performance.now();
        }
      }
      for (const link of links.values()) {
        if (link.secret || link.names.length !== link.nlink) { for (const [rel, name] of link.names) hide(rel, name); }
      }
      const paths = collapse(hidden, next).map((rel) => child(root, rel));
      if (paths.length > this.#maxHidden) {
        throw new Incomplete(
          `more than ${this.#maxHidden} paths to hide under "${root}", counting a folder whose every entry is hidden ` +
            `as one (Codex's sandbox slows down by seconds per command for each hundred more)`,
        );
      }
      this.#store(root, next);
      return { status: "complete", hidden: Object.freeze(paths.sort()), entries };
    } catch (error) {
      // Records of the folders read so far stay valid: keep them for the next attempt.
      for (const [rel, record] of old) if (!next.has(rel)) next.set(rel, record);
      this.#store(root, next);
      const reason = error instanceof Incomplete ? error.message : `"${root}" could not be scanned (${error})`;
      return { status: "incomplete", reason, entries };
    }
  }

  #store(root: string, records: Map<string, DirRecord>): void {
    this.#cache.delete(root);
    if (this.#maxCachedTrees === 0) return;
    this.#cache.set(root, records);
    while (this.#cache.size > this.#maxCachedTrees) this.#cache.delete(this.#cache.keys().next().value!);
  }

  #fresh(record: DirRecord, stat: Deno.FileInfo): boolean {
    return !record.racy && record.dev === stat.dev && record.ino === (stat.ino ?? -1) &&
      record.mtime === (stat.mtime?.getTime() ?? -1) && record.ctime === (stat.ctime?.getTime() ?? -1) &&
      this.#clock() - record.readAt < this.#cacheTtlMs;
  }

  /** Reads one folder; `stat` was taken before the read, so a later change shows as a different mtime. */
  #readDir(
    root: string,
    rel: string,
    stat: Deno.FileInfo,
    started: number,
  ): { record: DirRecord; subStats: Deno.FileInfo[] } {
    const abs = rel === "" ? root : child(root, rel);
    const parent = basename(abs);
    const mtime = stat.mtime?.getTime() ?? -1;
    const readAt = this.#clock();
    let racy = mtime < 0 || Date.now() - mtime < RACY_MS;
    let listing: Deno.DirEntry[];
    try {
      listing = [];
      for (const entry of Deno.readDirSync(abs)) {
        listing.push(entry);
        if (listing.length > this.#maxEntries) {
          throw new Incomplete(`more than ${this.#maxEntries} entries under "${root}"`);
        }
      }
    } catch (error) {
      if (error instanceof Incomplete) throw error;
      // A sub-folder removed since its parent was listed (a build, Codex's own sandbox mount points) holds
      // nothing to hide; it is re-read next time rather than refusing this turn.
      if (rel === "" || !isNotFound(error)) throw new Incomplete(`"${abs}" cannot be read (${errorName(error)})`);
      listing = [];
      racy = true;
    }
    const hasComposerJson = listing.some((entry) => entry.name.toLowerCase() === "composer.json");
    const noSniff = GIT_OBJECTS.test(rel);
    const hidden: string[] = [];
    const subdirs: string[] = [];
    const subStats: Deno.FileInfo[] = [];
    const links: LinkEntry[] = [];
    let real = 0;
    let empty: Set<string> | undefined;
    for (let i = 0; i < listing.length; i++) {
      const { name, isSymlink } = listing[i];
      if (isSymlink) continue;
      if ((i & 1023) === 1023 && performance.now() - started > this.#timeBudgetMs) {
        throw new Incomplete(`the scan of "${root}" took longer than ${this.#timeBudgetMs} ms`);
      }
      const path = child(abs, name);
      const relPath = rel === "" ? name : `${rel}/${name}`;
      let info: Deno.FileInfo;
      try {
        info = Deno.lstatSync(path);
      } catch (error) {
        if (isNotFound(error)) continue; // Gone since the listing; the folder's mtime changed.
        throw new Incomplete(`"${path}" cannot be checked (${errorName(error)})`);
      }
      if (info.isFile && info.size === 0) (empty ??= new Set()).add(name);
      else if (!info.isSymlink) real++;
      if (info.isDirectory) {
        if (
          isSecretEntry(name, "directory", parent) || matchesSecretPattern(this.#patterns, name, relPath, true)
        ) hidden.push(name);
        else {
          subdirs.push(name);
          subStats.push(info);
        }
      } else if (info.isFile) {
        const secret = isSecretEntry(name, "file", parent, hasComposerJson) ||
          matchesSecretPattern(this.#patterns, name, relPath, false) ||
          (!noSniff && this.#sniffs(name, info.size) && this.#holdsSecret(path, name, info.size));
        if (secret) hidden.push(name);
        if (info.nlink !== null && info.nlink > 1) {
          links.push({ name, key: `${info.dev}:${info.ino}`, nlink: info.nlink, secret });
        }
      } else if (!info.isSymlink) {
        hidden.push(name); // socket, FIFO or device
      }
    }
    const record: DirRecord = {
      dev: stat.dev,
      ino: stat.ino ?? -1,
      mtime,
      ctime: stat.ctime?.getTime() ?? -1,
      racy,
      readAt,
      entries: listing.length,
      real,
      empty,
      hidden: hidden.length > 0 ? hidden : EMPTY,
      subdirs: subdirs.length > 0 ? subdirs : EMPTY,
      links: links.length > 0 ? links : EMPTY,
    };
    return { record, subStats };
  }

  #sniffs(name: string, size: number): boolean {
    return size >= MIN_SNIFF_BYTES && size <= this.#sniffBytes &&
      (this.#sniffAllFiles || !SOURCE_EXTENSIONS.has(extensionOf(name)));
  }

  /** Whether a small file's content is a key, a credential JSON or a git config with credentials. */
  #holdsSecret(path: string, name: string, size: number): boolean {
    const fs = this.#fs!;
    let length: number;
    let fd: number;
    try {
      fd = fs.openSync(path, openFlags(fs));
    } catch (error) {
      return !isNotFound(error); // Unopenable: hiding it loses nothing. Gone: nothing to hide.
    }
    try {
      length = fs.readSync(fd, this.#buffer, 0, size, 0);
    } catch {
      return true;
    } finally {
      fs.closeSync(fd);
    }
    const text = this.#decoder.decode(this.#buffer.subarray(0, length));
    if (PRIVATE_KEY.test(text)) return true;
    if (GOOGLE_CREDENTIAL_TYPE.test(text) && GOOGLE_CREDENTIAL_SECRET.test(text)) return true;
    return GIT_CONFIG_NAMES.has(name.toLowerCase()) && URL_CREDENTIALS.test(text);
  }
}

/**
 * The paths to hide, relative to the scanned directory, from the names to
 * hide per folder: a folder whose every real entry is hidden (symlinks and
 * empty files do not count, but one hidden entry must; its sub-folders count
 * when they are wholly hidden themselves) is hidden as one path — a package
 * store hard-linked into `node_modules` then costs one entry per package,
 * not one per file. Where such a folder
 * holds a single file (or a chain of folders holding one entry each ends in
 * one), that file is hidden instead, at the same cost, so a folder holding
 * just a `.env` stays listable, and writable in write mode. Otherwise the
 * topmost wholly hidden folder is the entry: each folder above a hidden path
 * in a writable root costs a profile entry of its own (`profile.ts`), and
 * those cost Codex's sandbox more than hidden ones (measured: see README).
 * The scanned directory itself is never hidden: the turn works in it. Run
 * on every scan from the per-folder records, so a visible file created in a
 * hidden folder (its mtime changes, it is re-read) opens it again.
 */
function collapse(hidden: Map<string, Set<string>>, records: ReadonlyMap<string, DirRecord>): string[] {
  // Deepest first, so a folder's wholly hidden sub-folders are known when it is checked.
  const byDepth: string[][] = [];
  for (const rel of hidden.keys()) {
    if (rel === "") continue;
    let depth = 0;
    for (let i = rel.indexOf("/"); i >= 0; i = rel.indexOf("/", i + 1)) depth++;
    (byDepth[depth] ??= []).push(rel);
  }
  const whole = new Set<string>();
  for (let depth = byDepth.length - 1; depth >= 0; depth--) {
    for (const rel of byDepth[depth] ?? EMPTY) {
      const record = records.get(rel);
      if (record === undefined) continue;
      let shown = 0; // Hidden names that count: not empty files (a hidden empty file is still hidden, of course).
      for (const name of hidden.get(rel)!) if (!record.empty?.has(name)) shown++;
      if (shown !== record.real) continue;
      whole.add(rel);
      const slash = rel.lastIndexOf("/");
      const parent = slash < 0 ? "" : rel.slice(0, slash);
      const parentNames = hidden.get(parent);
      if (parentNames) parentNames.add(rel.slice(slash + 1));
      else {
        hidden.set(parent, new Set([rel.slice(slash + 1)]));
        if (depth > 0) (byDepth[depth - 1] ??= []).push(parent);
      }
    }
  }
  const paths: string[] = [];
  for (const [rel, names] of hidden) {
    if (whole.has(rel)) continue; // Covered by the topmost wholly hidden folder above.
    for (const name of names) {
      const path = rel === "" ? name : `${rel}/${name}`;
      // A chain of folders each holding one entry, ending in a file: hide that file, as without collapsing.
      let end = path;
      while (whole.has(end) && hidden.get(end)!.size === 1) end = `${end}/${[...hidden.get(end)!][0]}`;
      paths.push(whole.has(end) ? path : end);
    }
  }
  return paths;
}

/** `name` (or a relative path) inside the absolute folder `dir`. */
function child(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}

/** Whether an absolute path lies in (or is) a folder whose whole content is secret. */
function insideSecretFolder(path: string): boolean {
  const parts = path.split("/").filter((part) => part !== "");
  return parts.some((part, i) => isSecretEntry(part, "directory", parts[i - 1] ?? ""));
}

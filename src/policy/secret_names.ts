/**
 * The name tables of the secret scanner: which file and folder names hold
 * secrets, decided from the name alone (case-insensitive) or from the name
 * and its parent folder's name (`.m2/settings.xml`, `.config/gcloud`).
 *
 * The rule of thumb: a name is secret when its conventional purpose is to
 * hold a credential or key (`.env`, `id_rsa`, `*.pem`, `.npmrc`,
 * `credentials.json`, `*.tfstate`). Templates (`.env.example`), public keys
 * (`id_rsa.pub`, `known_hosts`, `authorized_keys`), certificates (`*.crt`)
 * and program source (`keys.ts`, `credentials.ts`) stay readable: the
 * generic data-file rules (`credentials.*`, `secrets.*`) only apply to data
 * extensions such as `.json`, `.yml` or none.
 *
 * @module
 */

/** Splits a space-separated list (keeps the tables compact under `deno fmt`). */
function words(list: string): string[] {
  return list.split(/\s+/).filter((word) => word !== "");
}

/** Program source, markup, documents, media and archives: never a key file by convention. */
export const SOURCE_EXTENSIONS: ReadonlySet<string> = new Set(words(
  // Program source.
  "ts tsx mts cts js jsx mjs cjs map py pyi pyc pyo rb go rs java class kt kts scala groovy c h cc cpp cxx " +
    "hpp hh cs fs vb swift m mm php pl pm lua dart ex exs erl hrl hs ml mli clj cljs r jl zig nim sol vue " +
    "svelte astro elm coffee sh bash zsh fish ps1 psm1 bat cmd graphql gql proto wasm tsbuildinfo " +
    // Markup and documents.
    "md mdx markdown rst adoc tex html htm xhtml css scss sass less styl svg pdf " +
    // Media and fonts.
    "png jpg jpeg gif bmp ico icns webp avif tif tiff psd woff woff2 ttf otf eot mp3 mp4 m4a wav ogg flac " +
    "webm mov avi mkv " +
    // Archives, binaries, lock files and snapshots.
    "zip gz tgz bz2 xz zst 7z rar tar jar war whl so dylib dll exe o a lib obj node lock snap",
));

/** Extensions of plain data files; "" is no extension. */
const DATA_EXTENSIONS = new Set([
  "",
  ...words("json yml yaml toml ini cfg conf config txt xml csv db sqlite env properties plist bak old"),
]);

/** Exact file names (lower case). */
const FILE_NAMES = new Set(words(
  // Package registries and VCS credentials.
  ".npmrc .yarnrc .yarnrc.yml .pypirc .netrc _netrc .git-credentials .gitcookies settings-security.xml " +
    // Cloud and storage tools.
    ".dockercfg .boto .s3cfg .passwd-s3fs rclone.conf access_tokens.db token.json " +
    // Databases.
    ".pgpass .my.cnf .mylogin.cnf .rediscli_auth " +
    // Terraform and Vault.
    ".terraformrc terraform.rc .vault-token " +
    // Web servers and mail.
    ".htpasswd htpasswd .htdigest .msmtprc .fetchmailrc " +
    // GnuPG secret keyrings (public keyrings stay readable).
    "secring.gpg secring.skr secring.pgp " +
    // Shell and REPL histories: pasted tokens end up there.
    ".histfile .zhistory .dbshell",
));

/** File name endings (lower case). */
const FILE_SUFFIXES = words(
  // TLS, PKCS and signing keys.
  ".pem .key .p12 .pfx .pkcs12 .p8 .jks .jceks .keystore .bks .bcfks .ppk .pvk .snk " +
    // Password managers, keychains, Kerberos, VPN.
    ".kdbx .kdb .keychain .keychain-db .keyring .psafe3 .keytab .ovpn " +
    // Terraform state and variables, kube configs, htpasswd files.
    ".tfstate .tfstate.backup .tfvars .tfvars.json .kubeconfig .htpasswd",
);

/** File names matched as a whole. */
const FILE_REGEXPS = [
  // SSH private keys: id_rsa, id_ed25519_sk, id_rsa_work, id_rsa.old (the `.pub` halves are excluded below).
  /^id_(?:rsa|dsa|ecdsa|ed25519|xmss)(?:_sk)?(?:[._-].*)?$/,
  // ssh_host_rsa_key, deploy_key, id_foo_sk: key files without an extension.
  /^[^.]+_(?:key|sk)$/,
  // .bash_history, .zsh_history, .node_repl_history, .history.
  /^\.(?:\w+[_-])?history$/,
  // Kerberos ticket caches and WireGuard configs.
  /^krb5cc(?:_.*)?$/,
  /^wg\d*\.conf$/,
];

/** Last words that make a dotenv-like name a template: `.env.example`, `prod.env.sample`. */
const TEMPLATE_WORDS = new Set(words("example examples sample samples template templates tmpl tpl dist"));

/** Folders whose whole content is secret (lower case), hidden as one entry. */
const DIR_NAMES = new Set(words(
  ".ssh .gnupg private-keys-v1.d .aws .azure .oci .docker .kube .terraform .terraform.d .password-store " +
    ".secrets legacy_credentials",
));

/** Folders that are secret inside `.config` (XDG): gcloud, GitHub CLI, sops/age keys, ... */
const CONFIG_DIR_NAMES = new Set(["gcloud", "gh", "doctl", "op", "sops", "configstore", "netlify"]);

/** Files that are secret only inside a given parent folder: name → parent names. */
const FILE_IN_PARENT = new Map<string, ReadonlySet<string>>([
  ["auth.json", new Set([".composer", "composer", "containers", ".docker"])],
  ["settings.xml", new Set([".m2"])],
  ["gradle.properties", new Set([".gradle"])],
  ["nuget.config", new Set(["nuget", ".nuget"])],
  ["hosts.yml", new Set(["gh"])],
  ["hub", new Set([".config"])],
  ["keys.txt", new Set(["age"])],
]);

function splitName(lower: string): { stem: string; ext: string } {
  const bare = lower.startsWith(".") ? lower.slice(1) : lower;
  const dot = bare.lastIndexOf(".");
  return dot <= 0 ? { stem: bare, ext: "" } : { stem: bare.slice(0, dot), ext: bare.slice(dot + 1) };
}

/** The extension of a file name (lower case, without the dot; "" for none or a bare dotfile). */
export function extensionOf(name: string): string {
  return splitName(name.toLowerCase()).ext;
}

function isDotenv(lower: string): boolean {
  const words = lower.split(/[._-]/);
  if (TEMPLATE_WORDS.has(words[words.length - 1])) return false;
  if (lower === ".env" || lower === ".envrc") return true;
  if (/^\.env(?:rc)?[._-]/.test(lower) || lower.endsWith(".env")) return true;
  // prod.env.local, docker.env.staging — but app.env.ts is program source.
  return lower.includes(".env.") && !SOURCE_EXTENSIONS.has(splitName(lower).ext);
}

function isSecretDataName(lower: string): boolean {
  const { stem, ext } = splitName(lower);
  if (!DATA_EXTENSIONS.has(ext)) return false;
  if (stem.includes("credential") || stem.includes("kubeconfig")) return true;
  if (["secret", "secrets", "client_secret", "client_secrets"].includes(stem)) return true;
  if (ext === "csv" && stem.endsWith("_accesskeys")) return true; // AWS console key export
  // Cloud key files: my-service-account.json, x-firebase-adminsdk-1a2b.json, ci-sa-key.json, client_secret_….json.
  return ext === "json" && /service[-_]?account|adminsdk|[-_]sa[-_]key|client_secret/.test(stem);
}

function isSecretFileName(lower: string): boolean {
  if (FILE_NAMES.has(lower) || isDotenv(lower) || isSecretDataName(lower)) return true;
  if (FILE_SUFFIXES.some((suffix) => lower.endsWith(suffix))) return true;
  return !lower.endsWith(".pub") && FILE_REGEXPS.some((re) => re.test(lower));
}

/**
 * Whether a file name (`kind` "file", the default) or a folder name
 * (`kind` "directory") is secret by itself, in any case. Names that are
 * secret only inside a given folder (`.m2/settings.xml`) need
 * {@linkcode isSecretEntry}.
 *
 * @example
 * ```ts
 * isSecretName(".env.production"); // true
 * isSecretName(".env.example"); // false
 * isSecretName(".ssh", "directory"); // true
 * ```
 */
export function isSecretName(name: string, kind: "file" | "directory" = "file"): boolean {
  const lower = name.toLowerCase();
  return kind === "directory" ? DIR_NAMES.has(lower) : isSecretFileName(lower);
}

/**
 * Whether an entry is secret given its name, its parent folder's name and
 * (for files) whether a sibling `composer.json` exists, which makes a
 * sibling `auth.json` Composer's credential file.
 */
export function isSecretEntry(
  name: string,
  kind: "file" | "directory",
  parent: string,
  hasComposerJson = false,
): boolean {
  const lower = name.toLowerCase();
  const parentLower = parent.toLowerCase();
  if (kind === "directory") return DIR_NAMES.has(lower) || (parentLower === ".config" && CONFIG_DIR_NAMES.has(lower));
  if (isSecretFileName(lower)) return true;
  if (lower === "auth.json" && hasComposerJson) return true;
  return FILE_IN_PARENT.get(lower)?.has(parentLower) ?? false;
}

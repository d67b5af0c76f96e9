import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { isSecretName, type SecretScan, SecretScanner, validateSecretPattern } from "../../src/policy/secrets.ts";
import { SENSITIVE_NAMES } from "../fixtures/sensitive_names.ts";

async function withDir(fn: (dir: string) => Promise<void>, prefix = "secrets-") {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Writes `files` (relative path → content) under `dir`. */
async function write(dir: string, files: Record<string, string>) {
  for (const [rel, content] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(dir, rel)), { recursive: true });
    await Deno.writeTextFile(join(dir, rel), content);
  }
}

/** Sets every folder's mtime an hour back, so the cache trusts it (no "racy" re-read). */
async function age(dir: string) {
  const past = new Date(Date.now() - 3_600_000);
  const visit = async (path: string) => {
    for await (const entry of Deno.readDir(path)) if (entry.isDirectory) await visit(join(path, entry.name));
    await Deno.utime(path, past, past);
  };
  await visit(dir);
}

/** The hidden paths of a complete scan, relative to `dir`. */
function hiddenIn(dir: string, scan: SecretScan): string[] {
  assert.equal(scan.status, "complete", scan.status === "incomplete" ? scan.reason : "");
  return scan.status === "complete" ? scan.hidden.map((path) => path === dir ? "." : path.slice(dir.length + 1)) : [];
}

async function scanRel(dir: string, options?: ConstructorParameters<typeof SecretScanner>[0]): Promise<string[]> {
  return hiddenIn(dir, await new SecretScanner(options).scan(dir));
}

const RSA_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n" +
  "-----END RSA PRIVATE KEY-----\n";
const OPENSSH_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtz\n" +
  "-----END OPENSSH PRIVATE KEY-----\n";
const CERT = "-----BEGIN CERTIFICATE-----\n" +
  "MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n".repeat(50) +
  "-----END CERTIFICATE-----\n";

// --- Names ---

/** Per category: names hidden, and look-alikes that stay readable. */
const NAME_TABLE: Record<string, { secret: string[]; readable: string[] }> = {
  dotenv: {
    secret: [
      ".env",
      ".env.local",
      ".env.production",
      "prod.env",
      ".env-local",
      ".env_local",
      ".envrc",
      ".envrc.local",
      "docker.env.staging",
      ".env.vault",
    ],
    readable: [
      ".env.example",
      ".env.sample",
      ".env.template",
      ".env.local.example",
      "prod.env.example",
      ".env-example",
      ".env.dist",
      ".envrc.example",
      "env",
      ".environment",
      "env.ts",
      "env.d.ts",
      "app.env.ts",
      "environment.prod.ts",
      ".flaskenv",
    ],
  },
  ssh: {
    secret: [
      "id_rsa",
      "id_dsa",
      "id_ecdsa",
      "id_ed25519",
      "id_ecdsa_sk",
      "id_ed25519_sk",
      "id_rsa_work",
      "id_rsa.old",
      "ssh_host_ed25519_key",
      "deploy_key",
      "work.ppk",
    ],
    readable: [
      "id_rsa.pub",
      "id_ed25519.pub",
      "id_rsa-cert.pub",
      "ssh_host_rsa_key.pub",
      "known_hosts",
      "authorized_keys",
      "ssh_config",
      "identity.ts",
    ],
  },
  "tls, pkcs and signing keys": {
    secret: [
      "server.pem",
      "tls.key",
      "cert.p12",
      "cert.pfx",
      "store.pkcs12",
      "keystore.jks",
      "release.keystore",
      "AuthKey_ABC123.p8",
      "app.jceks",
      "signing.snk",
      "secring.gpg",
    ],
    readable: ["server.crt", "ca.cer", "request.csr", "keys.ts", "monkey.txt", "pem", "key", "pubring.gpg", "x.asc"],
  },
  "package registries and vcs": {
    secret: [
      ".npmrc",
      ".yarnrc",
      ".yarnrc.yml",
      ".pypirc",
      ".netrc",
      "_netrc",
      ".git-credentials",
      ".gitcookies",
      "settings-security.xml",
      "credentials",
      "credentials.toml",
    ],
    readable: [
      "package.json",
      ".npmignore",
      "yarn.lock",
      "Cargo.toml",
      "pom.xml",
      "settings.xml",
      "auth.json",
      ".gitignore",
      ".gitconfig",
    ],
  },
  cloud: {
    secret: [
      "application_default_credentials.json",
      "credentials.db",
      "access_tokens.db",
      "my-service-account.json",
      "ci-sa-key.json",
      "x-firebase-adminsdk-1a2b3.json",
      "client_secret_123.apps.googleusercontent.com.json",
      "aws_credentials.csv",
      "rootkey_accessKeys.csv",
      ".boto",
      ".s3cfg",
      "rclone.conf",
    ],
    readable: ["service-account.yaml", "config.json", "gcloud.ts", "aws.ts", "credentials.ts", "credential_helper.go"],
  },
  "containers and clusters": {
    secret: ["kubeconfig", "dev.kubeconfig", "kubeconfig.yaml", "staging-kubeconfig.yml", ".dockercfg"],
    readable: ["Dockerfile", "docker-compose.yml", ".dockerignore", "deployment.yaml", "kube.ts"],
  },
  databases: {
    secret: [".pgpass", ".my.cnf", ".mylogin.cnf", ".rediscli_auth"],
    readable: [".psqlrc", "schema.sql", "database.yml"],
  },
  terraform: {
    secret: [
      "terraform.tfstate",
      "terraform.tfstate.backup",
      "prod.tfvars",
      "prod.auto.tfvars",
      "vars.tfvars.json",
      ".terraformrc",
      "terraform.rc",
      "credentials.tfrc.json",
    ],
    readable: ["main.tf", "variables.tf", ".terraform.lock.hcl", "outputs.tf"],
  },
  "vaults, tokens and keychains": {
    secret: [
      ".vault-token",
      "secrets.yml",
      "secrets.yaml",
      "secrets.json",
      "secret.txt",
      "credentials.json",
      "token.json",
      ".htpasswd",
      "htpasswd",
      "login.keychain",
      "login.keychain-db",
      "vault.kdbx",
      "passwords.kdb",
      "http.keytab",
      "client.ovpn",
      "wg0.conf",
      "krb5cc_1000",
      ".msmtprc",
    ],
    readable: [
      "secrets.ts",
      "secret_manager.py",
      "tokens.json",
      "token.ts",
      "vault.ts",
      "README.md",
      "index.ts",
      "tsconfig.json",
      "LICENSE",
    ],
  },
  histories: {
    secret: [".bash_history", ".zsh_history", ".psql_history", ".node_repl_history", ".python_history", ".histfile"],
    readable: ["history.ts", "HISTORY.md", ".bashrc", ".zshrc"],
  },
};

for (const [category, { secret, readable }] of Object.entries(NAME_TABLE)) {
  Deno.test(`isSecretName() hides ${category} names in any case and keeps their look-alikes readable`, () => {
    for (const name of secret) {
      for (const spelling of [name, name.toUpperCase(), name.toLowerCase()]) {
        assert.equal(isSecretName(spelling), true, `${spelling} should be secret`);
      }
    }
    for (const name of readable) assert.equal(isSecretName(name), false, `${name} should be readable`);
  });
}

Deno.test("isSecretName() hides folders whose whole content is secret and no ordinary folder", () => {
  const secret = [
    ".ssh",
    ".gnupg",
    "private-keys-v1.d",
    ".aws",
    ".azure",
    ".oci",
    ".docker",
    ".kube",
    ".terraform",
    ".terraform.d",
    ".password-store",
  ];
  for (const name of secret) {
    assert.equal(isSecretName(name, "directory"), true, name);
    assert.equal(isSecretName(name.toUpperCase(), "directory"), true, name.toUpperCase());
  }
  const readable = [".git", "node_modules", "dist", "src", ".github", ".vscode", ".config", ".cargo", ".m2", ".env"];
  for (const name of [...readable, "docker", "ssh", "keys"]) assert.equal(isSecretName(name, "directory"), false, name);
});

Deno.test("every fixture name shared with the hostile suite is secret by name", () => {
  for (const name of SENSITIVE_NAMES) assert.equal(isSecretName(name) && isSecretName(name.toUpperCase()), true, name);
});

Deno.test("scan() hides each category's names at several depths as absolute sorted paths", async () => {
  await withDir(async (dir) => {
    const all = Object.values(NAME_TABLE);
    const files: Record<string, string> = {};
    const expected: string[] = [];
    all.forEach(({ secret, readable }, i) => {
      const folder = ["", `d${i}/`, `d${i}/e/f/g/`][i % 3];
      for (const name of secret) {
        files[`${folder}${name}`] = "x";
        expected.push(`${folder}${name}`);
      }
      for (const name of readable) files[`${folder}${name}`] = "x";
    });
    await write(dir, files);
    const scan = await new SecretScanner().scan(dir);
    assert.ok(scan.status === "complete");
    assert.deepEqual(scan.hidden, [...scan.hidden].sort());
    assert.ok(scan.hidden.every((path) => path.startsWith(`${dir}/`)));
    assert.deepEqual(hiddenIn(dir, scan), expected.sort());
    assert.deepEqual(await new SecretScanner().scan(`${dir}//`), scan, "a trailing slash names the same directory");
  });
});

Deno.test("scan() hides a secret folder as one entry and does not list its files", async () => {
  await withDir(async (dir) => {
    await write(dir, {
      ".ssh/id_rsa": RSA_KEY,
      ".ssh/config": "Host x",
      "home/.aws/credentials": "[default]",
      "home/.gnupg/pubring.kbx": "x",
      "home/.kube/config": "x",
      "home/.bashrc": "x",
      "infra/.terraform/providers/x": "x",
      "infra/main.tf": "x",
      "docker/Dockerfile": "FROM x",
    });
    await Deno.mkdir(join(dir, "a", ".DOCKER"), { recursive: true });
    assert.deepEqual(await scanRel(dir), [
      ".ssh",
      "a/.DOCKER",
      "home/.aws",
      "home/.gnupg",
      "home/.kube",
      "infra/.terraform",
    ]);
  });
});

Deno.test("scan() hides names that are secret only in their folder, and their twins elsewhere stay readable", async () => {
  await withDir(async (dir) => {
    await write(dir, {
      ".m2/settings.xml": "<settings/>",
      "app/settings.xml": "<settings/>",
      ".gradle/gradle.properties": "x=1",
      "app/gradle.properties": "x=1",
      "php/composer.json": "{}",
      "php/auth.json": "{}",
      ".composer/auth.json": "{}",
      "locales/en/auth.json": "{}",
      ".config/gcloud/configurations/config_default": "x",
      ".config/gh/hosts.yml": "x",
      ".config/hub": "x",
      ".config/git/credentials": "x",
      ".config/nvim/init.lua": "x",
      ".cargo/credentials.toml": "x",
      ".cargo/config.toml": "x",
      ".gem/credentials": "x",
      ".gem/specs/x": "x",
    });
    assert.deepEqual(await scanRel(dir), [
      ".cargo/credentials.toml",
      ".composer/auth.json",
      ".config/gcloud",
      ".config/gh",
      ".config/git/credentials",
      ".config/hub",
      ".gem/credentials",
      ".gradle/gradle.properties",
      ".m2/settings.xml",
      "php/auth.json",
    ]);
  });
});

Deno.test("scan() hides the whole directory when it lies inside a secret folder", async () => {
  await withDir(async (base) => {
    await write(base, { ".ssh/keys/readme.txt": "x" });
    const dir = join(base, ".ssh", "keys");
    assert.deepEqual(await new SecretScanner().scan(dir), { status: "complete", hidden: [dir], entries: 0 });
  });
});

Deno.test("scan() finds secrets inside .git, node_modules and dist", async () => {
  await withDir(async (dir) => {
    await write(dir, {
      ".git/x/.env": "x",
      "node_modules/pkg/test/fixture.pem": "x",
      "node_modules/pkg/.npmrc": "x",
      "dist/deep/er/.env.production": "x",
      "node_modules/pkg/index.js": "x",
      "dist/index.js": "x",
    });
    assert.deepEqual(await scanRel(dir), [
      ".git/x/.env",
      "dist/deep/er/.env.production",
      "node_modules/pkg/.npmrc",
      "node_modules/pkg/test/fixture.pem",
    ]);
  });
});

// --- Content ---

Deno.test("scan() hides files whose content is a private key or a cloud credential, whatever their name", async () => {
  await withDir(async (dir) => {
    await write(dir, {
      "notes": RSA_KEY,
      "key.txt": OPENSSH_KEY,
      "bundle/server.crt": CERT + CERT + "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----\n",
      "enc.bin": "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFDjBABgkqhkiG9w0BBQ0wMzAbBgkqhkiG9w0BBQww\n",
      "x.asc": "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBF\n",
      "mykey": "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n",
      "backup.json": JSON.stringify({
        type: "service_account",
        project_id: "p",
        private_key_id: "abc",
        private_key: "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n",
      }),
      "gcp/adc.json": JSON.stringify({ type: "authorized_user", client_id: "c", refresh_token: "1//0g" }, null, 2),
    });
    assert.deepEqual(await scanRel(dir), [
      "backup.json",
      "bundle/server.crt",
      "enc.bin",
      "gcp/adc.json",
      "key.txt",
      "mykey",
      "notes",
      "x.asc",
    ]);
  });
});

Deno.test("scan() keeps files readable that only mention keys, hold public material, or are not sniffed", async () => {
  await withDir(async (dir) => {
    await write(dir, {
      "notes.txt": "Never commit a PRIVATE KEY or a private key file; keep BEGIN RSA PRIVATE KEY blocks in a vault.",
      "ca.crt": CERT,
      "pub.txt": "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n",
      "pgp.asc": "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF\n",
      "sa-template.json": JSON.stringify({ type: "service_account", project_id: "p" }),
      "config.json": JSON.stringify({ private_key: "see vault" }),
      // Program source and documents are not sniffed (documented): a key quoted in a test fixture stays readable.
      "test/fixture.ts": `export const key = \`${RSA_KEY}\`;`,
      "README.md": `Example:\n\n${RSA_KEY}`,
      // Bigger than the sniff limit: not read.
      "big.txt": RSA_KEY + "x".repeat(70 * 1024),
      // Loose git objects are deflated: not read.
      ".git/objects/ab/cdef0123": RSA_KEY,
    });
    assert.deepEqual(await scanRel(dir), []);
    assert.deepEqual(await scanRel(dir, { sniffAllFiles: true }), ["README.md", "test/fixture.ts"]);
    assert.deepEqual(await scanRel(dir, { sniffBytes: 128 * 1024 }), ["big.txt"]);
  });
});

Deno.test("scan() hides a git config whose remote URL or header carries credentials", async () => {
  const remote = (url: string) => `[core]\n\tbare = false\n[remote "origin"]\n\turl = ${url}\n`;
  const cases: [string, string, boolean][] = [
    ["user and token", remote("https://alice:ghp_abcdef123456@github.com/o/r.git"), true],
    ["x-access-token", remote("https://x-access-token:ghs_abc@github.com/o/r"), true],
    ["token as user name", remote("https://ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaa@github.com/o/r"), true],
    [
      "actions/checkout header",
      '[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic eC1hY2Nlc3M=\n',
      true,
    ],
    ["plain https", remote("https://github.com/o/r.git"), false],
    ["scp-like ssh", remote("git@github.com:o/r.git"), false],
    ["ssh with port", remote("ssh://git@host:2222/o/r.git"), false],
    ["https user without password", remote("https://alice@bitbucket.org/o/r.git"), false],
    ["https with port", remote("https://git.example.com:8443/o/r.git"), false],
  ];
  await withDir(async (dir) => {
    const files: Record<string, string> = {};
    cases.forEach(([, content], i) => files[`r${i}/.git/config`] = content);
    files["sub/.git/modules/lib/config"] = cases[0][1];
    files["home/.gitconfig"] = '[url "https://bob:glpat-123@gitlab.com/"]\n\tinsteadOf = https://gitlab.com/\n';
    await write(dir, files);
    const hidden = await scanRel(dir);
    cases.forEach(([what, , secret], i) => assert.equal(hidden.includes(`r${i}/.git/config`), secret, what));
    assert.ok(hidden.includes("sub/.git/modules/lib/config"));
    assert.ok(hidden.includes("home/.gitconfig"));
  });
});

// --- Links and special files ---

Deno.test("scan() hides a hard link to a file outside the scanned directory", async () => {
  await withDir(async (outside) => {
    await withDir(async (dir) => {
      await Deno.writeTextFile(join(outside, "secret"), "password=1");
      await Deno.mkdir(join(dir, "sub"));
      await Deno.link(join(outside, "secret"), join(dir, "sub", "notes.txt"));
      await Deno.writeTextFile(join(dir, "plain.txt"), "x");
      assert.deepEqual(await scanRel(dir), ["sub/notes.txt"]);
    });
  }, "secrets-outside-");
});

Deno.test("scan() keeps a hard-linked pair readable when both names are inside and neither is secret", async () => {
  await withDir(async (dir) => {
    await write(dir, { "a.txt": "hello", "sub/x": "y" });
    await Deno.link(join(dir, "a.txt"), join(dir, "sub", "b.txt"));
    assert.deepEqual(await scanRel(dir), []);
  });
});

Deno.test("scan() hides every name of a hard-linked file when one of its names is secret", async () => {
  await withDir(async (dir) => {
    await write(dir, { ".env": "TOKEN=1", "sub/x": "y", ".ssh/id_rsa": RSA_KEY });
    await Deno.link(join(dir, ".env"), join(dir, "sub", "copy.txt"));
    // Its other name is inside a hidden folder, which is not walked: the link count comes up short.
    await Deno.link(join(dir, ".ssh", "id_rsa"), join(dir, "sub", "notes"));
    assert.deepEqual(await scanRel(dir), [".env", ".ssh", "sub/copy.txt", "sub/notes"]);
  });
});

Deno.test("scan() neither follows nor lists symlinks", async () => {
  await withDir(async (outside) => {
    await withDir(async (dir) => {
      await write(outside, { ".env": "x", "id_rsa": RSA_KEY });
      await write(dir, { ".env": "x", "src/index.ts": "x" });
      await Deno.symlink(outside, join(dir, "src", "out"));
      await Deno.symlink(join(outside, "id_rsa"), join(dir, "id_rsa"));
      await Deno.symlink(join(dir, ".env"), join(dir, "src", "alias"));
      await Deno.symlink(dir, join(dir, "loop"));
      assert.deepEqual(await scanRel(dir), [".env"]);
    });
  }, "secrets-outside-");
});

Deno.test("scan() hides sockets", async () => {
  await withDir(async (dir) => {
    const listener = Deno.listen({ transport: "unix", path: join(dir, "agent.sock") });
    try {
      await write(dir, { "a.txt": "x" });
      assert.deepEqual(await scanRel(dir), ["agent.sock"]);
    } finally {
      listener.close();
    }
  });
});

// --- Owner patterns ---

Deno.test("scan() hides the owner's patterns by base name and by relative path, in any case", async () => {
  await withDir(async (dir) => {
    await write(dir, {
      "a/b/x.SECRET": "x",
      "y.secret": "x",
      "config/prod/db.yml": "x",
      "config/prod/deep/more.yml": "x",
      "config/dev/db.yml": "x",
      "build/keys/k1": "x",
      "build/keys.txt": "x",
      "data/file7.dat": "x",
      "data/filex.dat": "x",
      "a.txt": "x",
      "b.txt": "x",
      "c.txt": "x",
    });
    const patterns = ["*.secret", "config/prod/**", "keys/", "data/file[0-9].dat", "{a,b}.txt"];
    assert.deepEqual(await scanRel(dir, { patterns }), [
      "a.txt",
      "a/b/x.SECRET",
      "b.txt",
      "build/keys",
      "config/prod",
      "data/file7.dat",
      "y.secret",
    ]);
  });
});

Deno.test("validateSecretPattern() accepts globs and names what is wrong with bad ones", () => {
  for (const glob of ["*.secret", "config/prod/**", "**/*.pem.bak", "keys/", "{a,b}.txt", "file[0-9].dat", "[!x]y"]) {
    assert.equal(validateSecretPattern(glob), undefined, glob);
  }
  const bad: [string, RegExp][] = [
    ["", /^Secret pattern "" is empty$/],
    ["/etc/*.key", /^Secret pattern "\/etc\/\*\.key" starts with "\/"/],
    ["a//b", /"a\/\/b" has an empty folder name/],
    ["../x", /"\.\.\/x" contains a "\.\." segment/],
    ["a\\b", /contains "\\"/],
    ["a**b", /uses "\*\*" inside a segment/],
    ["[abc", /unclosed "\["/],
    ["{a,b", /unclosed "\{"/],
    ["{a,{b}}", /nests "\{"/],
    ["a}", /"}" without "\{"/],
    ["*", /would hide every file/],
    ["**/*", /would hide every file/],
    ["a\0b", /control character/],
  ];
  for (const [glob, message] of bad) assert.match(validateSecretPattern(glob) ?? "(valid)", message, glob);
  assert.throws(() => new SecretScanner({ patterns: ["ok", "/abs"] }), TypeError);
});

// --- Bounds ---

Deno.test("scan() is incomplete for an unreadable folder", async () => {
  if (Deno.uid() === 0) return; // root reads everything; the --deny-read test below covers root
  await withDir(async (dir) => {
    await Deno.mkdir(join(dir, "locked"), { mode: 0o000 });
    try {
      const scan = await new SecretScanner().scan(dir);
      assert.equal(scan.status, "incomplete");
      assert.match(scan.status === "incomplete" ? scan.reason : "", /locked" cannot be read/);
    } finally {
      await Deno.chmod(join(dir, "locked"), 0o755);
    }
  });
});

Deno.test("scan() is incomplete for a folder it may not read, even as root", async () => {
  await withDir(async (dir) => {
    await write(dir, { "locked/.env": "x", "open/a.txt": "x" });
    const module = new URL("../../src/policy/secrets.ts", import.meta.url).href;
    const script = `const { SecretScanner } = await import(${JSON.stringify(module)});\n` +
      "console.log(JSON.stringify(await new SecretScanner().scan(Deno.args[0])));";
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", "--no-prompt", "--allow-read", `--deny-read=${join(dir, "locked")}`, "-", dir],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(script));
    await writer.close();
    const { code, stdout, stderr } = await child.output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const scan = JSON.parse(new TextDecoder().decode(stdout));
    assert.equal(scan.status, "incomplete");
    assert.match(scan.reason, new RegExp(`"${join(dir, "locked")}" cannot be (read|checked) \\(NotCapable\\)`));
  });
});

Deno.test("scan() is incomplete past the entry, hidden-path and time bounds", async () => {
  await withDir(async (dir) => {
    const files: Record<string, string> = {};
    // A visible file in each folder, so no folder collapses into one entry.
    for (let i = 0; i < 30; i++) files[`d${i % 3}/f${i}.pem`] = files[`d${i % 3}/index.ts`] = "x";
    await write(dir, files);
    const entries = await new SecretScanner({ maxEntries: 20 }).scan(dir);
    assert.equal(entries.status, "incomplete");
    assert.match(entries.status === "incomplete" ? entries.reason : "", /^more than 20 entries under "/);
    const hidden = await new SecretScanner({ maxHidden: 10 }).scan(dir);
    assert.match(hidden.status === "incomplete" ? hidden.reason : "", /^more than 10 paths to hide under "/);
    const time = await new SecretScanner({ timeBudgetMs: 0 }).scan(dir);
    assert.match(time.status === "incomplete" ? time.reason : "", /took longer than 0 ms/);
    // The same tree within bounds.
    assert.equal((await new SecretScanner({ maxEntries: 36, maxHidden: 30 }).scan(dir)).status, "complete");
  });
});

Deno.test("scan() rejects a relative path and reports a missing one as incomplete", async () => {
  const scanner = new SecretScanner();
  await assert.rejects(() => scanner.scan("relative/dir"), /Cannot scan "relative\/dir": the path must be absolute/);
  await assert.rejects(() => scanner.scan("/tmp/a\0b"), /Cannot scan "\/tmp\/a\\0b": the path contains a NUL byte/);
  const missing = await scanner.scan("/nonexistent-secrets-test-dir");
  assert.deepEqual(missing, {
    status: "incomplete",
    reason: '"/nonexistent-secrets-test-dir" cannot be read (NotFound)',
    entries: 0,
  });
});

// --- Cache ---

Deno.test("scan() finds a secret added anywhere after a cached scan, and forgets a removed one", async () => {
  await withDir(async (dir) => {
    await write(dir, { "a/b/c/index.ts": "x", "a/d/readme.md": "x", ".env": "x" });
    await age(dir);
    const scanner = new SecretScanner();
    assert.deepEqual(hiddenIn(dir, await scanner.scan(dir)), [".env"]);
    await write(dir, { "a/b/c/id_ed25519": "x" });
    assert.deepEqual(hiddenIn(dir, await scanner.scan(dir)), [".env", "a/b/c/id_ed25519"]);
    await Deno.mkdir(join(dir, "a", "d", "new", ".aws"), { recursive: true });
    await Deno.remove(join(dir, ".env"));
    assert.deepEqual(hiddenIn(dir, await scanner.scan(dir)), ["a/b/c/id_ed25519", "a/d/new/.aws"]);
  });
});

Deno.test("scan() sees an in-place content edit only once the cache TTL has passed", async () => {
  await withDir(async (dir) => {
    await write(dir, { "sub/notes": "nothing here yet, just some text", "sub/x.ts": "x" });
    await age(dir);
    let now = 1_000_000;
    const scanner = new SecretScanner({ cacheTtlMs: 60_000, clock: () => now });
    const first = await scanner.scan(dir);
    assert.deepEqual(hiddenIn(dir, first), []);
    await Deno.writeTextFile(join(dir, "sub", "notes"), RSA_KEY); // same folder mtime: the cache is trusted
    now += 59_000;
    const cached = await scanner.scan(dir);
    assert.deepEqual(hiddenIn(dir, cached), [], "the documented gap: content edits wait for the TTL");
    assert.equal(cached.entries, first.entries);
    now += 2_000;
    assert.deepEqual(hiddenIn(dir, await scanner.scan(dir)), ["sub/notes"]);
    scanner.clearCache();
    assert.deepEqual(hiddenIn(dir, await scanner.scan(dir)), ["sub/notes"]);
  });
});

Deno.test("scan() calls for one directory at the same time share one scan", async () => {
  await withDir(async (dir) => {
    await write(dir, { "a/.env": "x", "b/c.txt": "x" });
    await Deno.mkdir(join(dir, "other"));
    const scanner = new SecretScanner();
    const [one, two, other] = await Promise.all([
      scanner.scan(dir),
      scanner.scan(dir),
      scanner.scan(join(dir, "other")),
    ]);
    assert.equal(one, two);
    assert.notEqual(one, other);
    assert.deepEqual(hiddenIn(dir, one), ["a/.env"]);
    const later = await scanner.scan(dir);
    assert.notEqual(later, one);
    assert.deepEqual(later, one);
  });
});

// --- Hard-linked package stores ---

/** How a package manager lays out a package hard-linked from its store. */
const STORE_LAYOUTS = {
  // Deno (`nodeModulesDir`): node_modules/.deno/<pkg>@<version>/node_modules/<pkg> beside an empty .initialized
  // (which keeps no folder open), and .deno.lock.
  deno: { store: "node_modules/.deno", stateFile: "node_modules/.deno/.deno.lock", marker: ".initialized" },
  // pnpm: node_modules/.pnpm/<pkg>@<version>/node_modules/<pkg>, beside lock.yaml.
  pnpm: { store: "node_modules/.pnpm", stateFile: "node_modules/.pnpm/lock.yaml", marker: undefined },
} as const;

const PACKAGE_FILES = ["package.json", "index.js", "lib/a.js", "lib/b.js", "lib/c.js", "lib/d.js", "lib/e.js"];

/**
 * Writes `count` packages of {@linkcode PACKAGE_FILES} into a store under
 * `outside` and hard-links each file into `dir` as `layout` does, with the
 * `node_modules/<pkg>` symlinks package managers add. Returns each package's
 * folder, relative to `dir` (`node_modules/.deno/p0@1.0.0/node_modules/p0`),
 * and the path that hides it (`node_modules/.deno/p0@1.0.0`).
 */
async function linkStore(outside: string, dir: string, layout: keyof typeof STORE_LAYOUTS, count: number) {
  const { store, stateFile, marker } = STORE_LAYOUTS[layout];
  await write(dir, { [stateFile]: "{}" });
  const folders: string[] = [];
  const hiddenAs: string[] = [];
  for (let i = 0; i < count; i++) {
    const pkg = `${store}/p${i}@1.0.0`;
    folders.push(`${pkg}/node_modules/p${i}`);
    hiddenAs.push(pkg);
    // Synchronous calls: 2100 files are made in a fraction of the time the async ones take.
    Deno.mkdirSync(join(outside, "store", `p${i}`, "lib"), { recursive: true });
    Deno.mkdirSync(join(dir, pkg, "node_modules", `p${i}`, "lib"), { recursive: true });
    if (marker) Deno.writeTextFileSync(join(dir, pkg, marker), "");
    for (const file of PACKAGE_FILES) {
      const original = join(outside, "store", `p${i}`, file);
      Deno.writeTextFileSync(original, `module.exports = ${i};`);
      Deno.linkSync(original, join(dir, pkg, "node_modules", `p${i}`, file));
    }
    await Deno.symlink(join(dir, pkg, "node_modules", `p${i}`), join(dir, "node_modules", `p${i}`));
  }
  return { folders, hiddenAs };
}

/** Whether `rel` is hidden by the scan: it, or a folder above it, is in `hidden` (relative paths). */
function covered(hidden: readonly string[], rel: string): boolean {
  return hidden.some((path) => rel === path || rel.startsWith(`${path}/`));
}

Deno.test("scan() hides Deno-like and pnpm-like stores of 2100 hard-linked files as one folder per package", async () => {
  await withDir(async (outside) => {
    await withDir(async (dir) => {
      // A Deno project at the top, a pnpm one in web/ (one tree: making 2100 links is the slow part here).
      await Deno.mkdir(join(dir, "web"));
      await Deno.mkdir(join(outside, "pnpm"));
      const deno = await linkStore(outside, dir, "deno", 150);
      const pnpm = await linkStore(join(outside, "pnpm"), join(dir, "web"), "pnpm", 150);
      const packages = [...deno.folders, ...pnpm.folders.map((pkg) => `web/${pkg}`)];
      const hiddenAs = [...deno.hiddenAs, ...pnpm.hiddenAs.map((pkg) => `web/${pkg}`)];
      // A secret-named file in the store, linked in with its package; a key linked beside ordinary sources.
      await Deno.writeTextFile(join(outside, "store", "p0", ".env"), "TOKEN=1");
      await Deno.link(join(outside, "store", "p0", ".env"), join(dir, packages[0], ".env"));
      await Deno.writeTextFile(join(outside, "id_rsa"), RSA_KEY);
      await write(dir, { "src/index.ts": "x" });
      await Deno.link(join(outside, "id_rsa"), join(dir, "src", "notes.txt"));
      // One package holds a file of its own (not from the store): that folder stays open.
      const open = packages[151];
      await write(dir, { [`${open}/local.txt`]: "x" });

      const scan = await new SecretScanner().scan(dir);
      const hidden = hiddenIn(dir, scan);
      assert.ok(scan.status === "complete" && scan.entries > 2100, `${scan.entries} entries`);
      assert.deepEqual(
        hidden,
        [
          ...hiddenAs.filter((_, i) => i !== 151),
          `${open}/index.js`,
          `${open}/lib`,
          `${open}/package.json`,
          "src/notes.txt",
        ].sort(),
      );
      assert.ok(Object.isFrozen(scan.hidden));
      assert.ok(covered(hidden, `${packages[0]}/.env`), "the linked secret is hidden");
      // Positive controls: an ordinary file, the stores' own state files, a package's own file.
      assert.ok(!covered(hidden, "src/index.ts"));
      assert.ok(!covered(hidden, STORE_LAYOUTS.deno.stateFile));
      assert.ok(!covered(hidden, `web/${STORE_LAYOUTS.pnpm.stateFile}`));
      assert.ok(!covered(hidden, `${open}/local.txt`));
    });
  }, "secrets-store-");
});

Deno.test("scan() counts the hidden-path bound after collapsing folders", async () => {
  await withDir(async (outside) => {
    await withDir(async (dir) => {
      await linkStore(outside, dir, "deno", 30);
      assert.equal(hiddenIn(dir, await new SecretScanner({ maxHidden: 30 }).scan(dir)).length, 30);
      const scan = await new SecretScanner({ maxHidden: 29 }).scan(dir);
      assert.match(scan.status === "incomplete" ? scan.reason : "", /^more than 29 paths to hide under "/);
    });
  }, "secrets-store-");
});

Deno.test("scan() collapses a folder only when each of its entries is hidden, symlinks and empty files aside", async () => {
  await withDir(async (outside) => {
    await withDir(async (dir) => {
      await write(outside, { a: "1", b: "2" });
      await write(dir, { "open/readme.md": "x", "single/keep.txt": "x", "chain/x/y/keep.txt": "x" });
      await write(dir, { "quiet/.keep": "", "blank/.keep": "" });
      for (const folder of ["linked", "open", "chain/x/y", "quiet"]) {
        await Deno.mkdir(join(dir, folder), { recursive: true });
        await Deno.link(join(outside, "a"), join(dir, folder, "a"));
        await Deno.link(join(outside, "b"), join(dir, folder, "b"));
      }
      await Deno.symlink(join(dir, "open"), join(dir, "linked", "alias"));
      await Deno.mkdir(join(dir, "only-links"));
      await Deno.symlink(join(outside, "a"), join(dir, "only-links", "a"));
      await Deno.mkdir(join(dir, "empty"));
      await write(dir, { "single/.env": "x" });
      await Deno.remove(join(dir, "chain/x/y/keep.txt"));
      assert.deepEqual(await scanRel(dir), [
        "chain", // chain/x/y held two hidden links only, chain/x only y, chain only x.
        "linked", // Two hidden links and a symlink.
        "open/a",
        "open/b",
        "quiet", // Two hidden links and an empty file, which has nothing to read.
        "single/.env", // One hidden file costs one entry either way: its folder stays usable.
      ]);
    });
  }, "secrets-store-");
});

Deno.test("scan() re-opens a collapsed folder once a visible file appears in it, and collapses it again", async () => {
  await withDir(async (outside) => {
    await withDir(async (dir) => {
      const { folders, hiddenAs } = await linkStore(outside, dir, "pnpm", 3);
      await age(dir);
      const scanner = new SecretScanner();
      assert.deepEqual(hiddenIn(dir, await scanner.scan(dir)), hiddenAs);
      const folder = folders[2];
      await write(dir, { [`${folder}/patched.js`]: "x" });
      const reopened = hiddenIn(dir, await scanner.scan(dir));
      assert.deepEqual(reopened, [
        hiddenAs[0],
        hiddenAs[1],
        `${folder}/index.js`,
        `${folder}/lib`,
        `${folder}/package.json`,
      ]);
      assert.ok(!covered(reopened, `${folder}/patched.js`));
      await Deno.remove(join(dir, folder, "patched.js"));
      assert.deepEqual(hiddenIn(dir, await scanner.scan(dir)), hiddenAs);
    });
  }, "secrets-store-");
});

Deno.test("scan() completes when a folder it listed is gone by the time it reads it", async () => {
  await withDir(async (dir) => {
    await write(dir, { "a/victim/f.ts": "x", "a/b/.env": "x" });
    const victim = join(dir, "a", "victim");
    let reads = 0;
    // The clock is read once per folder, just before it is listed: the root, `a`, then `victim` and `b` in some
    // order, so removing `victim` at the third read always comes after `a` listed it and before it is read.
    const clock = () => {
      if (++reads === 3) Deno.removeSync(victim, { recursive: true });
      return Date.now();
    };
    const scan = await new SecretScanner({ clock }).scan(dir);
    assert.ok(reads >= 3, "the folder was removed mid-walk");
    assert.equal(scan.status, "complete", scan.status === "incomplete" ? scan.reason : "");
    // Positive control: the secret elsewhere is still hidden.
    assert.deepEqual(hiddenIn(dir, scan), ["a/b/.env"]);
    // The root itself gone is still incomplete: there is nothing to confine to.
    const gone = await new SecretScanner({ clock: () => (Deno.removeSync(dir, { recursive: true }), Date.now()) })
      .scan(dir);
    assert.equal(gone.status, "incomplete");
    await Deno.mkdir(dir);
  });
});

/**
 * The owner-consent page: who asks, where the answer goes, what it may do,
 * and one form asking for the code the bridge printed in its terminal. The
 * code itself is never on the page. Everything interpolated is escaped.
 *
 * @module
 */

/** What the page shows. */
export interface ConsentPageView {
  clientName: string;
  clientId: string;
  redirectHost: string;
  scope: string;
  /** Form fields carried back unchanged. */
  requestId: string;
  csrf: string;
  /** A line above the form, e.g. after a wrong code. */
  notice?: string;
}

/**
 * Headers of every consent or authorize-error page. `redirectOrigin` joins
 * `form-action` on the consent page: browsers apply that directive to the
 * redirect that follows the form's POST, so the client's callback must be in it.
 */
export function pageHeaders(redirectOrigin?: string): Record<string, string> {
  const formAction = redirectOrigin ? `'self' ${redirectOrigin}` : "'self'";
  return {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy":
      `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'`,
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  };
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222}
dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem}dt{font-weight:600}dd{margin:0;word-break:break-all}
input[name=code]{font:1.4rem monospace;letter-spacing:.15rem;width:12rem}.notice{color:#a00}
button{font-size:1rem;margin:1rem .5rem 0 0;padding:.4rem 1.2rem}`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}

/** The consent form. */
export function consentPage(view: ConsentPageView): string {
  const e = escapeHtml;
  return layout(
    "Approve access to codex-gpt-bridge",
    `<h1>Approve access to codex-gpt-bridge?</h1>
<p>An application asks to use the Codex tools of this bridge.</p>
<dl><dt>Client</dt><dd>${e(view.clientName)}</dd><dt>Client ID</dt><dd>${e(view.clientId)}</dd>
<dt>Answer goes to</dt><dd>${e(view.redirectHost)}</dd><dt>Access</dt><dd>${e(view.scope)}</dd></dl>
<p>Only if you started this connection yourself: type the consent code printed in the terminal where the bridge runs.
Someone who sent you this link cannot see that code.</p>
${view.notice ? `<p class="notice" role="alert">${e(view.notice)}</p>` : ""}
<form method="post">
<input type="hidden" name="request" value="${e(view.requestId)}">
<input type="hidden" name="csrf" value="${e(view.csrf)}">
<label>Consent code <input name="code" autocomplete="off" autocapitalize="characters" spellcheck="false"
 maxlength="12" placeholder="XXXX-XXXX" autofocus></label><br>
<button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="deny">Deny</button>
</form>`,
  );
}

/** A page for a request that cannot go back to the client (unknown client, bad redirect URI, ended request). */
export function errorPage(message: string): string {
  return layout(
    "codex-gpt-bridge: authorization refused",
    `<h1>Authorization refused</h1><p>${escapeHtml(message)}</p>`,
  );
}

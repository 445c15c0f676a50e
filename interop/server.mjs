// An independent, OpenID Certified OP (panva's oidc-provider) set up like a Swedish eID broker
// following the OIDC Sweden profile, for the portal's interop tests (tests/test_oidc_interop.py).
//
//   node interop/server.mjs   with INTEROP_PORT, INTEROP_VARIANT and INTEROP_CLIENT (JSON) set
//
// Variants (INTEROP_VARIANT):
//   standard  claims released only under their scopes, in the ID token and from UserInfo
//   userinfo  the same claims from UserInfo only (the ID token carries sub, acr and the protocol claims)
//   pkjwt     the client must authenticate with private_key_jwt (INTEROP_CLIENT carries its jwks)
//   lowacr    every login answered with acr loa2, which the portal must refuse
//
// The login page stands in for BankID: it takes a personnummer from the test series and shows the
// https://id.oidc.se/param/userMessage sent with a signature request.
import { createServer } from 'node:http';
import { URL } from 'node:url';
import Provider from 'oidc-provider';

const PNR = 'https://id.oidc.se/claim/personalIdentityNumber';
const NATURAL_PERSON_NUMBER = 'https://id.oidc.se/scope/naturalPersonNumber';
const NATURAL_PERSON_INFO = 'https://id.oidc.se/scope/naturalPersonInfo';
const USER_MESSAGE = 'https://id.oidc.se/param/userMessage';
const LOA2 = 'http://id.elegnamnden.se/loa/1.0/loa2';
const LOA3 = 'http://id.elegnamnden.se/loa/1.0/loa3';

const port = Number(process.env.INTEROP_PORT);
const variant = process.env.INTEROP_VARIANT || 'standard';
const client = JSON.parse(process.env.INTEROP_CLIENT);
const issuer = `http://127.0.0.1:${port}`;

// Test persons: the personnummer typed decides who it is; names for the ones the portal's tests use.
const NAMES = { '199006022397': ['Anders', 'Testsson'] };

function account(personnummer) {
  const [given, family] = NAMES[personnummer] || ['Test', 'Person'];
  return {
    accountId: `interop-${personnummer}`,
    async claims() {
      return {
        sub: `interop-${personnummer}`,
        [PNR]: personnummer,
        given_name: given,
        family_name: family,
        name: `${given} ${family}`,
        birthdate: `${personnummer.slice(0, 4)}-${personnummer.slice(4, 6)}-${personnummer.slice(6, 8)}`,
      };
    },
  };
}

const provider = new Provider(issuer, {
  clients: [{
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: variant === 'pkjwt' ? 'private_key_jwt' : 'client_secret_basic',
    ...client,
  }],
  scopes: ['openid', NATURAL_PERSON_NUMBER, NATURAL_PERSON_INFO],
  claims: {
    openid: ['sub'],
    acr: null,
    auth_time: null,
    sid: null,
    iss: null,
    [NATURAL_PERSON_NUMBER]: [PNR],
    [NATURAL_PERSON_INFO]: ['name', 'given_name', 'family_name', 'birthdate'],
  },
  acrValues: [LOA2, LOA3],
  extraParams: [USER_MESSAGE],
  // true: claims asked for by scope go to UserInfo only (an access token is issued); false: the ID token too.
  conformIdTokenClaims: variant === 'userinfo',
  findAccount: async (ctx, id) => account(id.replace(/^interop-/, '')),
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      // Sign out at once (the portal asked for it with the ID token as hint) instead of asking again.
      logoutSource: async (ctx, form) => {
        ctx.body = `<!doctype html><html lang="en"><head><title>Log out</title></head><body>${form}
          <button form="op.logoutForm" type="submit" name="logout" value="yes">Log out</button></body></html>`;
      },
    },
  },
  // The broker asks nothing more once the person has identified: the scopes asked for are granted.
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const found = await ctx.oidc.provider.Grant.find(grantId);
      if (found) return found;
    }
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(['openid', NATURAL_PERSON_NUMBER, NATURAL_PERSON_INFO].join(' '));
    await grant.save();
    return grant;
  },
  cookies: { keys: ['interop-test-only-cookie-key'] },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
});
provider.proxy = false;

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function userMessage(params) {
  try {
    const message = JSON.parse(params[USER_MESSAGE] || 'null')?.message || {};
    return message.sv || Object.values(message)[0] || null;
  } catch {
    return null;
  }
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const callback = provider.callback();
const server = createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  const match = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      const message = userMessage(details.params);
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html lang="sv"><head><title>Legitimera dig</title></head><body><main>
        <h1>Legitimera dig</h1>
        ${message ? `<section id="user-message"><h2>Du skriver under</h2><p>${escape(message)}</p></section>` : ''}
        <form method="post" action="/interaction/${details.uid}/login">
          <label for="personnummer">Personnummer</label>
          <input id="personnummer" name="personnummer" autocomplete="off">
          <button type="submit">Legitimera</button>
        </form></main></body></html>`);
      return undefined;
    }
    const form = await readForm(req);
    const personnummer = (form.get('personnummer') || '').replace(/\D/g, '');
    const result = {
      login: { accountId: `interop-${personnummer}`, acr: variant === 'lowacr' ? LOA2 : LOA3, amr: ['bankid'] },
    };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  } catch (err) {
    res.statusCode = 400;
    res.end(`interaction failed: ${escape(err.message)}`);
    return undefined;
  }
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer} ${variant}\n`);
});

// Issue 12.6: the certified Node.js openid-client as a FAPI 2.0 relying party against a live dinhdanh.
// Only the library's public API: discovery → PAR → authorization code + PKCE → token (private_key_jwt,
// DPoP with the server's nonces) → userinfo → refresh → revoke; the ID token is also verified a second
// time from the published JWKS with jose.
//
// Driven by tests/federation/test_interop_node.py over pipes, one JSON object a line:
//   stdin  line 1: {"issuer", "client_id", "redirect_uri", "scope", "key": <private JWK with kid>}
//   stdout        {"step": "authorize", "url": ...}   — the person's browser goes there
//   stdin  line 2: {"callback": <the URL the provider redirected the browser to>}
//   stdout        {"step": "result", ...}             — or {"step": "error", ...} and exit status 1
// Tokens are never written out: only claims, statuses and what the checks concluded.

import * as readline from 'node:readline'
import * as client from 'openid-client'
import * as jose from 'jose'

const REQUEST_SECONDS = 10 // every HTTP request openid-client makes
const STDIN_MS = 60_000 // the test answers within seconds; a stuck test must not leave node running
const OVERALL_MS = 120_000

function emit(message, then) {
  process.stdout.write(JSON.stringify(message) + '\n', then)
}

// Exit only once the line is written: stdout may be asynchronous, and process.exit would cut it off.
function finish(message, status) {
  emit(message, () => process.exit(status))
}

function fail(err) {
  // openid-client's errors carry the OAuth error, the HTTP status and the WWW-Authenticate challenges.
  finish({
    step: 'error',
    name: err?.name,
    code: err?.code,
    message: String(err?.message ?? err),
    error: err?.error,
    error_description: err?.error_description,
    status: err?.status ?? err?.response?.status,
    cause: err?.cause instanceof Error ? String(err.cause.message) : err?.cause,
  }, 1)
}

const watchdog = setTimeout(() => fail(new Error(`gave up after ${OVERALL_MS} ms`)), OVERALL_MS)
watchdog.unref()

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]()

async function readMessage(what) {
  let timer
  const late = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} on stdin within ${STDIN_MS} ms`)), STDIN_MS)
  })
  try {
    const { value, done } = await Promise.race([lines.next(), late])
    if (done) throw new Error(`stdin closed before the ${what}`)
    return JSON.parse(value)
  } finally {
    clearTimeout(timer)
  }
}

// What went over the wire, without any token: to show the DPoP nonce dance happened as RFC 9449 §8 says.
const exchanges = []
async function recordingFetch(url, options) {
  const response = await fetch(url, options)
  const headers = new Headers(options?.headers)
  exchanges.push({
    method: options?.method ?? 'GET',
    path: new URL(url).pathname,
    status: response.status,
    dpop: headers.has('dpop'),
    nonce_offered: response.headers.has('dpop-nonce'),
  })
  return response
}

// The outcome of a call expected to be refused: the OAuth error, or the resource's challenge.
async function refusal(call) {
  try {
    await call()
  } catch (err) {
    if (err instanceof client.ResponseBodyError) return { status: err.status, error: err.error }
    if (err instanceof client.WWWAuthenticateChallengeError) {
      return { status: err.status, error: err.cause?.[0]?.parameters?.error }
    }
    throw err
  }
  return { status: 200, error: null }
}

async function main() {
  const setup = await readMessage('setup')
  const issuer = new URL(setup.issuer)
  const key = { key: await jose.importJWK(setup.key, 'ES256'), kid: setup.key.kid }

  // The issuer the document names must be the one asked (openid-client checks it); plain http is
  // allowed only because the live test server listens on loopback. openid-client trusts an ID token
  // from the token endpoint on TLS alone (OIDC Core §3.1.3.7 item 6) unless non-repudiation checks are
  // on: with them it verifies every ID token's signature with the keys of the discovered jwks_uri.
  const config = await client.discovery(
    issuer,
    setup.client_id,
    { id_token_signed_response_alg: 'ES256', redirect_uris: [setup.redirect_uri] },
    client.PrivateKeyJwt(key),
    {
      execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
      timeout: REQUEST_SECONDS,
      [client.customFetch]: recordingFetch,
    },
  )
  const server = config.serverMetadata()

  const dpopKeys = await client.randomDPoPKeyPair('ES256')
  const DPoP = client.getDPoPHandle(config, dpopKeys)
  const dpopJkt = await jose.calculateJwkThumbprint(await jose.exportJWK(dpopKeys.publicKey))

  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const authorizationUrl = await client.buildAuthorizationUrlWithPAR(
    config,
    {
      redirect_uri: setup.redirect_uri,
      scope: setup.scope,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    },
    { DPoP },
  )
  emit({ step: 'authorize', url: authorizationUrl.href })

  const { callback } = await readMessage('callback')
  // state, iss (RFC 9207), PKCE and the ID token (signature from the JWKS, iss, aud, azp, nonce, exp)
  // are all checked by openid-client here.
  const tokens = await client.authorizationCodeGrant(
    config,
    new URL(callback),
    { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
    undefined,
    { DPoP },
  )
  const idClaims = tokens.claims()

  // A second, independent check of the ID token and the access token against the published keys.
  const jwks = jose.createRemoteJWKSet(new URL(server.jwks_uri), { timeoutDuration: REQUEST_SECONDS * 1000 })
  const { payload: verifiedId } = await jose.jwtVerify(tokens.id_token, jwks, {
    issuer: server.issuer,
    audience: setup.client_id,
    algorithms: ['ES256'],
  })
  const { payload: access, protectedHeader: accessHeader } = await jose.jwtVerify(tokens.access_token, jwks, {
    issuer: server.issuer,
    algorithms: ['ES256', 'PS256', 'EdDSA'],
    typ: 'at+jwt',
  })

  const userinfo = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub, { DPoP })

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP })
  const refreshedClaims = refreshed.claims()
  const userinfoAfterRefresh = await client.fetchUserInfo(config, refreshed.access_token, idClaims.sub, { DPoP })

  // Revoking the refresh token ends its family and every access token issued under it (RFC 7009 §2.1).
  await client.tokenRevocation(config, tokens.refresh_token, { token_type_hint: 'refresh_token' })
  const refreshAfterRevoke = await refusal(() =>
    client.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP }),
  )
  const userinfoAfterRevoke = await refusal(() =>
    client.fetchUserInfo(config, refreshed.access_token, idClaims.sub, { DPoP }),
  )

  return {
    step: 'result',
    issuer: server.issuer,
    token_type: tokens.token_type,
    has_refresh_token: typeof tokens.refresh_token === 'string',
    dpop_jkt: dpopJkt,
    id_token: idClaims,
    id_token_jose: verifiedId,
    access_token: { typ: accessHeader.typ, alg: accessHeader.alg, cnf: access.cnf, client_id: access.client_id, org: access.org, scope: access.scope },
    userinfo,
    refreshed: {
      token_type: refreshed.token_type,
      rotated: typeof refreshed.refresh_token === 'string',
      id_token: refreshedClaims,
      cnf: jose.decodeJwt(refreshed.access_token).cnf,
    },
    userinfo_after_refresh: userinfoAfterRefresh,
    refresh_after_revoke: refreshAfterRevoke,
    userinfo_after_revoke: userinfoAfterRevoke,
    exchanges,
  }
}

main().then(
  (result) => finish(result, 0),
  (err) => fail(err),
)

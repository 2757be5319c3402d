/** What the gateway tells the app before its first screen (`GET /app-config.json`). */
import type { WebAppConfig, WebSignIn } from '@stream-seat/contracts';
import { noteServerDate } from './server-clock.js';

/** How users sign in (the gateway's answer, shared with it through @stream-seat/contracts). */
export type SignInMethod = WebSignIn;

export async function loadSignInMethod(): Promise<SignInMethod> {
  try {
    // Bounded: the first screen waits for this answer.
    const response = await fetch('/app-config.json', { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5_000) });
    // The first answer: from here on a stored session's end is judged by the server's clock.
    noteServerDate(response);
    if (response.ok) {
      const signIn = ((await response.json()) as Partial<WebAppConfig>).signIn;
      if (signIn && ['dev', 'oidc', 'token'].includes(signIn.kind)) return signIn;
    }
  } catch {
    // Not served by a gateway that knows (an older one, or a bare static server): see below.
  }
  // The dev form asks the gateway for a token and falls back to pasting one when it gets none.
  return { kind: 'dev' };
}

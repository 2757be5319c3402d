/** `POST /api/auth/dev-token`: local-mode tokens for any subject and role. Absent in production. */
import { withoutBidiOverrides } from '@stream-seat/contracts';
import { type App, roles, signDevToken, subjectClaim } from '@stream-seat/platform';
import { z } from 'zod';

export function registerDevTokenRoute(app: App, secret: string): void {
  app.post(
    '/api/auth/dev-token',
    {
      schema: {
        summary: 'Issue a local-mode token (AUTH_MODE=dev only)',
        tags: ['auth'],
        // A subject typed here is shown as the buyer's name: it must display as itself. (Tokens of
        // an identity provider are not held to this; their `sub` is its own opaque id.)
        body: z.strictObject({ sub: subjectClaim.refine(withoutBidiOverrides, 'must not contain bidirectional overrides'), role: z.enum(roles) }),
        response: { 200: z.object({ token: z.string() }) },
      },
    },
    async (request) => ({ token: await signDevToken(secret, request.body) }),
  );
}

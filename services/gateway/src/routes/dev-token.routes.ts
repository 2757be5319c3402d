/** `POST /api/auth/dev-token`: local-mode tokens for any subject and role. Absent in production. */
import { type App, roles, signDevToken, subjectClaim } from '@stream-seat/platform';
import { z } from 'zod';

export function registerDevTokenRoute(app: App, secret: string): void {
  app.post(
    '/api/auth/dev-token',
    {
      schema: {
        summary: 'Issue a local-mode token (AUTH_MODE=dev only)',
        tags: ['auth'],
        body: z.strictObject({ sub: subjectClaim, role: z.enum(roles) }),
        response: { 200: z.object({ token: z.string() }) },
      },
    },
    async (request) => ({ token: await signDevToken(secret, request.body) }),
  );
}

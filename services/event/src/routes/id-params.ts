/** `/:id` of events and venues: the platform's id rule (1–64 letters, digits, `_` or `-`), so `a.b` is a 400 naming `params.id`, not a lookup. */
import { entityId } from '@stream-seat/contracts';
import { z } from 'zod';

export const idParams = z.object({ id: entityId });

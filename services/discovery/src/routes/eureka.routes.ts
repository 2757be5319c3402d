/** The Eureka REST API (JSON) under /eureka: register, renew, cancel, fetch. */
import type { App } from '@stream-seat/platform';
import { BadRequest, NotFound } from '@stream-seat/platform';
import { z } from 'zod';
import { decodeInstance, encodeApplication, encodeApplications, encodeInstance, InvalidInstance } from '../domain/eureka-json.js';
import type { Registry } from '../domain/registry.js';

const appParams = z.object({ app: z.string().min(1).max(200) });
const instanceParams = appParams.extend({ id: z.string().min(1).max(400) });

export function registerEurekaRoutes(app: App, registry: Registry, clock: () => number): void {
  const hidden = { hide: true };

  app.post('/eureka/apps/:app', { schema: { ...hidden, params: appParams } }, async (request, reply) => {
    try {
      registry.register(decodeInstance(request.body, request.params.app, clock()));
    } catch (error) {
      if (error instanceof InvalidInstance) throw new BadRequest(error.message);
      throw error;
    }
    return reply.code(204).send();
  });

  app.put('/eureka/apps/:app/:id', { schema: { ...hidden, params: instanceParams } }, async (request, reply) => {
    const result = registry.renew(request.params.app, request.params.id);
    if (result === 'unknown') throw new NotFound(`Instance ${request.params.id} of ${request.params.app}`);
    return reply.code(200).send();
  });

  app.delete('/eureka/apps/:app/:id', { schema: { ...hidden, params: instanceParams } }, async (request, reply) => {
    if (!registry.cancel(request.params.app, request.params.id)) {
      throw new NotFound(`Instance ${request.params.id} of ${request.params.app}`);
    }
    return reply.code(200).send();
  });

  app.get('/eureka/apps', { schema: hidden }, async () => encodeApplications(registry.applications(), registry.version()));

  app.get('/eureka/apps/:app', { schema: { ...hidden, params: appParams } }, async (request) => {
    const instances = registry.application(request.params.app);
    if (!instances) throw new NotFound(`Application ${request.params.app}`);
    return { application: encodeApplication(request.params.app.toUpperCase(), instances) };
  });

  app.get('/eureka/apps/:app/:id', { schema: { ...hidden, params: instanceParams } }, async (request) => {
    const instance = registry.instance(request.params.app, request.params.id);
    if (!instance) throw new NotFound(`Instance ${request.params.id} of ${request.params.app}`);
    return { instance: encodeInstance(instance) };
  });
}

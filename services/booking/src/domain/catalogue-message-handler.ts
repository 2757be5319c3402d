/**
 * Reacts to the catalogue's messages. Delivery is at least once, so each message id is handled
 * once when possible, and every handling is idempotent anyway (a crash between handling and
 * recording the id just handles it again).
 */
import type { CatalogueMessage } from '@stream-seat/contracts';
import type { CatalogueMessageRepository } from '../db/catalogue-message.repository.js';
import { EventNotFound, EventNotOnSale } from './booking-errors.js';
import type { CatalogueClient } from './catalogue-client.js';
import type { InventoryService } from './inventory-service.js';
import type { OrderService } from './order-service.js';

export interface CatalogueMessageHandlerDeps {
  messages: CatalogueMessageRepository;
  catalogue: Pick<CatalogueClient, 'forget'>;
  inventory: InventoryService;
  orders: OrderService;
  clock: () => number;
}

export function createCatalogueMessageHandler(deps: CatalogueMessageHandlerDeps) {
  return {
    async handle(message: CatalogueMessage): Promise<'processed' | 'duplicate'> {
      if (await deps.messages.seen(message.id)) return 'duplicate';
      // What this instance cached of the event is past: a draft looked up here just before (a 404,
      // for anyone but its organiser) had made the published message find "no such event", and
      // put nothing on sale — holds were a 404 until the cache ran out.
      deps.catalogue.forget?.(message.eventId);
      if (message.type === 'event.published') {
        try {
          await deps.inventory.ensure(message.eventId);
        } catch (error) {
          // Cancelled or deleted since: nothing to put on sale, and retrying would not change that.
          if (!(error instanceof EventNotOnSale || error instanceof EventNotFound)) throw error;
        }
      } else {
        await deps.orders.cancelEvent(message.eventId);
      }
      await deps.messages.markProcessed(message, deps.clock());
      return 'processed';
    },
  };
}
export type CatalogueMessageHandler = ReturnType<typeof createCatalogueMessageHandler>;

/**
 * The estate's generated secrets, each in Secrets Manager and read by its tasks at start: the
 * registry's tokens, the event → booking service token, and (without an identity provider) the
 * token signing key. Made in the stack's own scope, so their logical ids stay as they were.
 */
import type { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { SERVICES } from './service-catalog.js';

export type RegistryClientName = 'event' | 'booking' | 'gateway';

export interface PlatformSecrets {
  /** The registry's own token: writes any app's instances (peer registries, operators). */
  readonly registryToken: ecs.Secret;
  /** Each client app's registry token: writes that app's instances only. */
  readonly appRegistryTokens: Record<RegistryClientName, ecs.Secret>;
  /** What the event service presents to booking on `/internal/*`. */
  readonly serviceToken: ecs.Secret;
  /** Token verification secrets of every service: the shared HS256 key, without an identity provider. */
  readonly auth: Record<string, ecs.Secret>;
}

/** A generated 48-character token in Secrets Manager, rotated by hand (`rotation` says how). */
function generatedToken(stack: Stack, id: string, secretName: string, description: string, rotation: string): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(stack, id, {
    secretName,
    description,
    generateSecretString: { passwordLength: 48, excludePunctuation: true },
  });
  NagSuppressions.addResourceSuppressions(secret, [{ id: 'AwsSolutions-SMG4', reason: rotation }]);
  return secret;
}

/** `withIdentityProvider`: tokens are verified against an issuer's keys, and no signing key is made. */
export function createPlatformSecrets(stack: Stack, withIdentityProvider: boolean): PlatformSecrets {
  // The registry demands a token of every write (register, renew, cancel, status, metadata):
  // without one anyone who reaches the registry could register a rogue BOOKING-SERVICE and take
  // its traffic. REGISTRY_TOKEN, the registry's own, writes any app's instances; each client
  // presents its app's own token (as REGISTRY_TOKEN, a bearer token, so EUREKA_URL stays plain
  // configuration), which writes that app's instances only — the internet-facing gateway, were
  // it taken over, could not pose as booking.
  const registryToken = ecs.Secret.fromSecretsManager(
    generatedToken(
      stack,
      'RegistryToken',
      'stream-seat/registry-token',
      "The discovery registry's own token: writes any app's instances (peer registries, operators)",
      'Rotated by hand with a forced redeploy of the registry.',
    ),
  );
  const appRegistryToken = (id: string, name: RegistryClientName) => {
    const app = SERVICES[name].appName as string;
    return ecs.Secret.fromSecretsManager(
      generatedToken(
        stack,
        `${id}RegistryToken`,
        `stream-seat/registry-token-${app.toLowerCase()}`,
        `Registry token of ${app}: its instances present it, and it writes ${app}'s instances only`,
        `Rotated by hand with a forced redeploy of the registry and of ${app}: both read it at task start, and the registry refuses the old one.`,
      ),
    );
  };
  const appRegistryTokens = {
    event: appRegistryToken('Event', 'event'),
    booking: appRegistryToken('Booking', 'booking'),
    gateway: appRegistryToken('Gateway', 'gateway'),
  };
  // Event → booking calls on /internal/* present this shared token.
  const serviceToken = ecs.Secret.fromSecretsManager(
    generatedToken(
      stack,
      'ServiceToken',
      'stream-seat/service-token',
      'Shared token the event service presents to the booking service on /internal/*',
      'Rotated by hand with a forced redeploy of event and booking together; both read it at task start.',
    ),
  );
  // Without an identity provider the services share a generated signing key, never one from the repo.
  const auth: Record<string, ecs.Secret> = withIdentityProvider
    ? {}
    : {
      JWT_SECRET: ecs.Secret.fromSecretsManager(
        generatedToken(
          stack,
          'JwtSecret',
          'stream-seat/jwt',
          'HS256 signing key shared by the gateway and the services (AUTH_MODE=dev)',
          'Rotating the signing key invalidates every issued token; it is rotated by hand with a forced redeploy, or replaced by AUTH_MODE=jwks.',
        ),
      ),
    };
  return { registryToken, appRegistryTokens, serviceToken, auth };
}

/** The registry's variable for an app's own token: `BOOKING-SERVICE` → `BOOKING_SERVICE_REGISTRY_TOKEN`. */
export function registryTokenVariable(appName: string): string {
  return `${appName.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_REGISTRY_TOKEN`;
}

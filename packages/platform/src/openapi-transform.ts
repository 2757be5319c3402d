/** How a route's schema becomes its OpenAPI operation: the zod schemas as JSON Schema, plus what every route of the platform shares. */
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type TransformOutput = ReturnType<typeof jsonSchemaTransform>;

/** Every 201 of the platform names the resource it created (the route sets it; its tests check it). */
const createdLocation = {
  Location: { type: 'string', description: 'The path of the resource this request created, where its owner reads it back' },
};

export function openapiTransform(input: TransformInput): TransformOutput {
  const output = jsonSchemaTransform(input);
  const responses = output.schema['response'] as Record<string, Record<string, unknown>> | undefined;
  const created = responses?.['201'];
  if (responses && created) responses['201'] = { ...created, headers: { ...createdLocation, ...(created['headers'] as object | undefined) } };
  return output;
}

import { z } from 'zod';

/** An environment variable's text, trimmed; empty means "not set", for text and numbers alike. */
export const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

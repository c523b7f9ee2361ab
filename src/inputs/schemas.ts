import { z } from 'zod';
import { channelIdField, emailField, jwtField, optional, passwordField, positiveId, storeHashField } from './validate.js';

/** `LoginInput`. */
export const loginInput = z.object({
  email: emailField,
  password: passwordField,
  storeHash: storeHashField,
  channelId: channelIdField,
});

/** `AuthorizationInput`. */
export const authorizationInput = z.object({
  bcToken: jwtField,
  storeHash: storeHashField,
  channelId: channelIdField,
});

const instant = z.date().refine((date) => !Number.isNaN(date.getTime()), 'must be a valid date');

/** `StorefrontCredentialsInput`; `now` is the request's clock, for "endAt in the past". */
export const credentialsInput = (now: Date) =>
  z
    .object({
      email: emailField,
      password: passwordField,
      storeHash: storeHashField,
      channelId: channelIdField,
      name: optional(z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters')),
      beginAt: optional(instant),
      endAt: optional(instant.refine((date) => date.getTime() > now.getTime(), 'must be in the future')),
    })
    .refine((input) => input.beginAt === undefined || input.endAt === undefined || input.endAt > input.beginAt, {
      path: ['endAt'],
      message: 'must be after beginAt',
    });

/** `StorefrontSessionJwtInput`. */
export const sessionJwtInput = z.object({
  jwtToken: jwtField,
  storeHash: storeHashField,
  channelId: channelIdField,
});

/** `StorefrontCustomerInput`. */
export const customerInput = z.object({
  customerId: positiveId,
  storeHash: storeHashField,
  channelId: channelIdField,
  customerAccessToken: optional(
    z.object({
      value: z.string().min(1, 'must not be empty').max(8192, 'must be at most 8192 characters'),
      expiresAt: instant,
    }),
  ),
});

import type { Knex } from 'knex';

/**
 * The knex instance the SQL adapters share, opened by a host's `main.ts` with
 * `createKnex` and bound as a constant. Destroying it is the host's job.
 */
export type SqlConnection = Knex;
export const SqlConnection: unique symbol = Symbol.for('signup.SqlConnection');

import {
  DatabaseError, DatabaseUnavailableError, ProspectInvalidError, ProspectNotStorableError, UnknownReferenceCodeError,
  type ReferenceCodeField,
} from '@signup/domain';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { translateSqlError } from '../../../src/sql/index.js';

function driverError(message: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), fields);
}

describe('translateSqlError', function () {
  it('passes a SignUpError through unchanged', function () {
    const error = new ProspectInvalidError({ firstName: 'Please enter your first name.' });
    expect(translateSqlError(error)).to.equal(error);
  });

  describe('when the database cannot be reached or does not answer', function () {
    const cases: [string, unknown][] = [
      ['a refused connection', driverError('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED' })],
      ['an AggregateError of refused connections', new AggregateError([
        driverError('connect ECONNREFUSED ::1:5432', { code: 'ECONNREFUSED' }),
        driverError('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' }),
      ], '')],
      ['a knex pool acquire timeout', driverError('Knex: Timeout acquiring a connection. The pool is probably full.', { name: 'KnexTimeoutError' })],
      ['a PostgreSQL statement timeout', driverError('canceling statement due to statement timeout', { code: '57014' })],
      ['a PostgreSQL shutdown', driverError('terminating connection due to administrator command', { code: '57P01' })],
      ['a PostgreSQL deadlock', driverError('deadlock detected', { code: '40P01' })],
      ['a missing PostgreSQL database', driverError('database "signup" does not exist', { code: '3D000' })],
      ['pg losing the connection', driverError('Connection terminated unexpectedly')],
      ['a MySQL lost connection', driverError('Connection lost: The server closed the connection.', { code: 'PROTOCOL_CONNECTION_LOST' })],
      ['a MySQL lock wait timeout', driverError('Lock wait timeout exceeded', { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 })],
      ['a SQL Server socket error', driverError('Failed to connect to db:1433 - Could not connect (sequence)', { name: 'ConnectionError', code: 'ESOCKET' })],
      ['a SQL Server request timeout', driverError('Timeout: Request failed to complete in 5000ms', { name: 'RequestError', code: 'ETIMEOUT' })],
      ['a SQL Server deadlock', driverError('Transaction was deadlocked', { name: 'RequestError', number: 1205 })],
      ['a busy SQLite database', driverError('database is locked', { code: 'SQLITE_BUSY' })],
      ['a SQLite database not migrated yet', driverError('select * from `Countries` - no such table: Countries', { code: 'SQLITE_ERROR' })],
      ['a driver error wrapped as a cause', new Error('query failed', { cause: driverError('connect ETIMEDOUT', { code: 'ETIMEDOUT' }) })],
    ];
    for (const [what, error] of cases) {
      it(`gives a transient DatabaseUnavailableError for ${what}`, function () {
        const translated = translateSqlError(error);
        expect(translated).to.be.instanceOf(DatabaseUnavailableError);
        expect(translated.code).to.equal('DATABASE_UNAVAILABLE');
        expect(translated.transient).to.equal(true);
        expect(translated.cause).to.equal(error);
      });
    }
  });

  describe('after the statement that commits was sent', function () {
    const lost: [string, unknown][] = [
      ['pg losing the connection mid-statement', driverError('Connection terminated unexpectedly')],
      ['a reset connection', new Error('commit failed', { cause: driverError('read ECONNRESET', { code: 'ECONNRESET' }) })],
      ['pg giving up waiting for an answer', driverError('Query read timeout')],
      ['a MySQL lost connection', driverError('Connection lost: The server closed the connection.', { code: 'PROTOCOL_CONNECTION_LOST' })],
      ['a PostgreSQL shutdown', driverError('terminating connection due to administrator command', { code: '57P01' })],
    ];
    for (const [what, error] of lost) {
      it(`says the outcome is unknown for ${what}: the commit may have gone through`, function () {
        const translated = translateSqlError(error, { mayHaveCommitted: true });
        expect(translated).to.be.instanceOf(DatabaseUnavailableError).and.have.property('outcomeUnknown', true);
        expect(translateSqlError(error)).to.have.property('outcomeUnknown', false);
      });
    }

    const neverSent: [string, unknown][] = [
      ['a refused connection', driverError('connect ECONNREFUSED 127.0.0.1:1', { code: 'ECONNREFUSED' })],
      ['a knex pool acquire timeout', driverError('Knex: Timeout acquiring a connection. The pool is probably full.', { name: 'KnexTimeoutError' })],
      ['a statement the server cancelled', driverError('canceling statement due to statement timeout', { code: '57014' })],
      ['a deadlock the server rolled back', driverError('deadlock detected', { code: '40P01' })],
    ];
    for (const [what, error] of neverSent) {
      it(`says nothing was saved for ${what}`, function () {
        expect(translateSqlError(error, { mayHaveCommitted: true })).to.be.instanceOf(DatabaseUnavailableError).and.have.property('outcomeUnknown', false);
      });
    }
  });

  describe('when a foreign key is violated', function () {
    const cases: [string, Error, ReferenceCodeField | undefined][] = [
      ['PostgreSQL', driverError('insert or update on table "Prospects" violates foreign key constraint "FK_Prospects_Countries"', { code: '23503', constraint: 'FK_Prospects_Countries' }), 'countryCode'],
      ['MySQL', driverError('Cannot add or update a child row: a foreign key constraint fails (`test`.`Prospects`, CONSTRAINT `FK_Prospects_Roles` FOREIGN KEY (`RoleCode`) REFERENCES `Roles` (`RoleCode`))', { code: 'ER_NO_REFERENCED_ROW_2', errno: 1452 }), 'roleCode'],
      ['SQLite', driverError('FOREIGN KEY constraint failed', { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' }), undefined],
      ['SQL Server', driverError('The INSERT statement conflicted with the FOREIGN KEY constraint "FK_Prospects_Countries".', { number: 547 }), 'countryCode'],
    ];
    for (const [dialect, error, field] of cases) {
      it(`gives a permanent UnknownReferenceCodeError naming the field the driver names for ${dialect}`, function () {
        const translated = translateSqlError(error);
        expect(translated).to.be.instanceOf(UnknownReferenceCodeError);
        expect(translated.code).to.equal('UNKNOWN_REFERENCE_CODE');
        expect(translated.transient).to.equal(false);
        expect((translated as UnknownReferenceCodeError).field).to.equal(field);
        expect(translated.message).to.match(field === undefined ? /^The country or role code / : new RegExp(`^${field}: `));
        expect(translated.cause).to.equal(error);
      });
    }
  });

  it('gives a permanent PROSPECT_NOT_STORABLE error when a value is refused', function () {
    for (const error of [
      driverError('value too long for type character varying(100)', { code: '22001' }),
      driverError('Data too long for column', { code: 'ER_DATA_TOO_LONG', errno: 1406 }),
      driverError('String or binary data would be truncated.', { number: 8152 }),
    ]) {
      const translated = translateSqlError(error);
      expect(translated).to.be.instanceOf(ProspectNotStorableError);
      expect(translated.code).to.equal('PROSPECT_NOT_STORABLE');
      expect(translated.transient).to.equal(false);
    }
  });

  it('gives a permanent DATABASE_ERROR for anything else', function () {
    const translated = translateSqlError(new TypeError('something odd'));
    expect(translated).to.be.instanceOf(DatabaseError);
    expect(translated.code).to.equal('DATABASE_ERROR');
    expect(translated.transient).to.equal(false);
    expect(translated.message).to.include('something odd');
  });

  it('leaves out the SQL text and values knex puts in front of the driver message', function () {
    const error = driverError(
      'insert into "Prospects" ("EmailAddress") values (\'ada@example.com\') - value too long for type character varying(254)',
      { code: '22001' },
    );
    const translated = translateSqlError(error);
    expect(translated.message).to.include('value too long');
    expect(translated.message).to.not.include('ada@example.com');
    expect(translated.message).to.not.include('insert into');
  });

  it('keeps its message on one line', function () {
    const translated = translateSqlError(driverError('first line\nsecond line', { code: 'ECONNRESET' }));
    expect(translated.message).to.not.match(/\n/);
  });
});

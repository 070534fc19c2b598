import { type ProspectSignedUpEvent } from '@signup/domain';
import { MessageUndecodableError } from '../../../src/nats/index.js';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { decodeProspectSignedUpEvent, encodeProspectSignedUpEvent } from '../../../src/nats/index.js';

const event: ProspectSignedUpEvent = {
  correlationId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  signedUpAt: new Date('2026-11-23T10:00:00.123Z'),
  prospect: {
    firstName: 'Zoë',
    lastName: "O'Brien",
    companyName: 'Ünïcode & Co',
    emailAddress: 'zoe@example.com',
    country: { countryCode: 'IRE', countryName: 'Ireland' },
    role: { roleCode: 'EN', roleName: 'Engineer' },
  },
};

// The original's PascalCase shape of `event`.
const wireShape = {
  CorrelationId: event.correlationId,
  Subject: 'events.prospect.signedup',
  SignedUpAt: '2026-11-23T10:00:00.123Z',
  Prospect: {
    ProspectId: 0,
    FirstName: 'Zoë',
    LastName: "O'Brien",
    CompanyName: 'Ünïcode & Co',
    EmailAddress: 'zoe@example.com',
    Role: { RoleCode: 'EN', RoleName: 'Engineer' },
    Country: { CountryCode: 'IRE', CountryName: 'Ireland' },
  },
};

// What the original .NET publisher sent: Newtonsoft JSON, Encoding.Unicode (UTF-16LE, no BOM).
const legacyJson = JSON.stringify({
  CorrelationId: '0F8FAD5B-D9CB-469F-A165-70867728950E',
  Subject: 'events.prospect.signedup',
  SignedUpAt: '2026-11-23T10:00:00.1234567Z',
  Prospect: {
    ProspectId: 0,
    FirstName: 'Elton',
    LastName: 'Stoneman',
    CompanyName: 'Sixeyed',
    EmailAddress: 'elton@sixeyed.com',
    Role: { RoleCode: 'AC', RoleName: 'Architect' },
    Country: { CountryCode: 'GBR', CountryName: 'United Kingdom' },
  },
});

function utf16le(text: string, bom: boolean): Uint8Array {
  const body = Buffer.from(text, 'utf16le');
  return new Uint8Array(bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body);
}

function utf8(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

function reasonFor(data: Uint8Array): string {
  try {
    decodeProspectSignedUpEvent(data);
  } catch (error) {
    expect(error).to.be.instanceOf(MessageUndecodableError);
    return (error as Error).message;
  }
  throw new Error('expected MessageUndecodableError');
}

describe('ProspectSignedUpEvent codec', () => {
  describe('encodeProspectSignedUpEvent', () => {
    it('writes the original PascalCase shape as UTF-8', () => {
      const json = new TextDecoder().decode(encodeProspectSignedUpEvent(event));

      expect(JSON.parse(json)).to.deep.equal(wireShape);
      expect(json.indexOf('"CorrelationId"')).to.be.lessThan(json.indexOf('"Prospect"'));
    });

    it('writes the prospect id once the prospect is saved', () => {
      const saved = { ...event, prospect: { ...event.prospect, prospectId: 42 } };

      const json = JSON.parse(new TextDecoder().decode(encodeProspectSignedUpEvent(saved))) as { Prospect: { ProspectId: number } };

      expect(json.Prospect.ProspectId).to.equal(42);
    });
  });

  describe('encodeProspectSignedUpEvent with utf-16le', () => {
    const encoded = encodeProspectSignedUpEvent(event, 'utf-16le');

    it('writes UTF-16LE without a byte order mark, which the original handlers read as Buffer.toString("utf16le") then JSON.parse would', () => {
      expect([encoded[0], encoded[1]], 'no byte order mark').not.to.deep.equal([0xff, 0xfe]);
      expect([encoded[0], encoded[1]], '"{" as one UTF-16LE code unit').to.deep.equal([0x7b, 0x00]);
      const parsed = JSON.parse(Buffer.from(encoded).toString('utf16le')) as Record<string, unknown>;

      expect(parsed).to.deep.equal(wireShape);
    });

    it('is byte for byte the UTF-8 encoding re-encoded as UTF-16LE', () => {
      const asUtf8 = new TextDecoder().decode(encodeProspectSignedUpEvent(event, 'utf-8'));

      expect(Buffer.from(encoded).equals(Buffer.from(asUtf8, 'utf16le'))).to.equal(true);
      expect(encoded.length).to.equal(asUtf8.length * 2);
    });

    it('round-trips through the decoder', () => {
      expect(decodeProspectSignedUpEvent(encoded)).to.deep.equal(event);
    });
  });

  describe('decodeProspectSignedUpEvent', () => {
    it('round-trips an encoded event', () => {
      expect(decodeProspectSignedUpEvent(encodeProspectSignedUpEvent(event))).to.deep.equal(event);
    });

    it('decodes UTF-16LE without a byte order mark, as the .NET publisher wrote it', () => {
      const decoded = decodeProspectSignedUpEvent(utf16le(legacyJson, false));

      expect(decoded.correlationId).to.equal('0F8FAD5B-D9CB-469F-A165-70867728950E');
      expect(decoded.signedUpAt.toISOString()).to.equal('2026-11-23T10:00:00.123Z');
      expect(decoded.prospect).to.deep.equal({
        firstName: 'Elton',
        lastName: 'Stoneman',
        companyName: 'Sixeyed',
        emailAddress: 'elton@sixeyed.com',
        country: { countryCode: 'GBR', countryName: 'United Kingdom' },
        role: { roleCode: 'AC', roleName: 'Architect' },
      });
    });

    it('decodes UTF-16LE with a byte order mark', () => {
      expect(decodeProspectSignedUpEvent(utf16le(legacyJson, true)).prospect.lastName).to.equal('Stoneman');
    });

    it('decodes UTF-16LE holding characters outside ASCII', () => {
      const json = legacyJson.replace('Stoneman', 'Ørsted-Łukasz 😀');

      expect(decodeProspectSignedUpEvent(utf16le(json, false)).prospect.lastName).to.equal('Ørsted-Łukasz 😀');
    });

    it('decodes UTF-8 with a byte order mark', () => {
      const data = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(legacyJson)]);

      expect(decodeProspectSignedUpEvent(data).prospect.firstName).to.equal('Elton');
    });

    it('converts a SignedUpAt with an offset to UTC', () => {
      const json = legacyJson.replace('2026-11-23T10:00:00.1234567Z', '2026-11-23T11:30:00.1234567+01:30');

      expect(decodeProspectSignedUpEvent(utf8(json)).signedUpAt.toISOString()).to.equal('2026-11-23T10:00:00.123Z');
    });

    it('takes a SignedUpAt without a zone as UTC', () => {
      const json = legacyJson.replace('2026-11-23T10:00:00.1234567Z', '2026-11-23T10:00:00');

      expect(decodeProspectSignedUpEvent(utf8(json)).signedUpAt.toISOString()).to.equal('2026-11-23T10:00:00.000Z');
    });

    it('ignores unknown properties and matches names in any casing', () => {
      const json = JSON.stringify({
        correlationId: event.correlationId,
        signedUpAt: '2026-11-23T10:00:00Z',
        Extra: { Nested: [1, 2, 3] },
        prospect: {
          firstName: 'Ada', lastName: 'Lovelace', emailAddress: 'ada@example.com', Unknown: true,
          country: { countryCode: '-' }, role: { roleCode: '-', roleName: null },
        },
      });

      const decoded = decodeProspectSignedUpEvent(utf8(json));

      expect(decoded.prospect).to.deep.equal({
        firstName: 'Ada', lastName: 'Lovelace', companyName: '', emailAddress: 'ada@example.com',
        country: { countryCode: '-', countryName: '' }, role: { roleCode: '-', roleName: '' },
      });
    });

    it('keeps a positive ProspectId and drops the unsaved 0', () => {
      const saved = legacyJson.replace('"ProspectId":0', '"ProspectId":7');

      expect(decodeProspectSignedUpEvent(utf8(saved)).prospect.prospectId).to.equal(7);
      expect(decodeProspectSignedUpEvent(utf8(legacyJson)).prospect).not.to.have.property('prospectId');
    });

    it('rejects bytes that are not JSON', () => {
      expect(reasonFor(utf8('hello'))).to.match(/not JSON/);
    });

    it('rejects an empty message', () => {
      expect(reasonFor(new Uint8Array())).to.match(/empty/);
    });

    it('rejects bytes that are not valid UTF-8', () => {
      expect(reasonFor(new Uint8Array([0x7b, 0xc3, 0x28, 0x7d]))).to.match(/UTF-8/);
    });

    it('rejects JSON that is not an object', () => {
      expect(reasonFor(utf8('[1,2]'))).to.match(/not a JSON object/);
    });

    it('rejects a correlation id that is not a UUID', () => {
      expect(reasonFor(utf8(legacyJson.replace('0F8FAD5B-D9CB-469F-A165-70867728950E', 'abc')))).to.match(/CorrelationId "abc" is not a UUID/);
    });

    it('names a missing required property', () => {
      const json = JSON.parse(legacyJson) as { Prospect: Record<string, unknown> };
      delete json.Prospect.EmailAddress;

      expect(reasonFor(utf8(JSON.stringify(json)))).to.match(/Prospect\.EmailAddress is missing/);
    });

    it('names a property of the wrong type', () => {
      expect(reasonFor(utf8(legacyJson.replace('"FirstName":"Elton"', '"FirstName":12')))).to.match(/Prospect\.FirstName is not a string/);
      expect(reasonFor(utf8(legacyJson.replace('{"RoleCode":"AC","RoleName":"Architect"}', '"AC"')))).to.match(/Prospect\.Role is not a JSON object/);
    });

    it('rejects a missing or impossible SignedUpAt', () => {
      expect(reasonFor(utf8(legacyJson.replace('"SignedUpAt":"2026-11-23T10:00:00.1234567Z",', '')))).to.match(/SignedUpAt is missing/);
      expect(reasonFor(utf8(legacyJson.replace('2026-11-23T10:00:00.1234567Z', 'yesterday')))).to.match(/not an ISO 8601/);
      expect(reasonFor(utf8(legacyJson.replace('2026-11-23T10:00:00.1234567Z', '2026-02-30T10:00:00Z')))).to.match(/not a valid date/);
      expect(reasonFor(utf8(legacyJson.replace('2026-11-23T10:00:00.1234567Z', '2026-02-30T10:00:00.000Z')))).to.match(/not a valid date/);
      expect(reasonFor(utf8(legacyJson.replace('2026-11-23T10:00:00.1234567Z', '2026-11-23T24:00:00.000Z')))).to.match(/not a valid date/);
    });

    it('reads a SignedUpAt as toISOString writes it to the millisecond', () => {
      const json = legacyJson.replace('2026-11-23T10:00:00.1234567Z', '2024-02-29T23:59:59.999Z');
      expect(decodeProspectSignedUpEvent(utf8(json)).signedUpAt.getTime()).to.equal(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    });

    it('rejects a message whose bytes turn invalid after a valid start', () => {
      const data = utf8(legacyJson);
      data[data.length - 3] = 0xff;
      expect(reasonFor(data)).to.match(/neither valid UTF-8 nor UTF-16/);
    });
  });
});

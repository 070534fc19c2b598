import { expect } from 'chai';
import { describe, it } from 'mocha';
import { maskSecrets } from '../../../src/logging/index.js';

describe('maskSecrets on configuration values', () => {
  it('masks user and password in a URL', () => {
    expect(maskSecrets('nats://signup:s3cret@mq:4222')).to.equal('nats://***:***@mq:4222');
  });

  it('masks a token in a URL', () => {
    expect(maskSecrets('nats://t0ken@mq:4222')).to.equal('nats://***@mq:4222');
  });

  it('masks every server of a comma-separated cluster', () => {
    expect(maskSecrets('nats://a:pw1@mq1:4222, nats://b:pw2@mq2:4222'))
      .to.equal('nats://***:***@mq1:4222, nats://***:***@mq2:4222');
  });

  it('masks a password that contains an unencoded @', () => {
    expect(maskSecrets('nats://user:p@ss@mq:4222')).to.equal('nats://***:***@mq:4222');
  });

  it('masks credentials written without a scheme', () => {
    expect(maskSecrets('user:secret@mq:4222')).to.equal('***:***@mq:4222');
  });

  it('masks secret query parameters', () => {
    expect(maskSecrets('http://api/ref?token=abc&x=1')).to.equal('http://api/ref?token=***&x=1');
  });

  it('leaves a value without credentials alone', () => {
    expect(maskSecrets('nats://mq:4222')).to.equal('nats://mq:4222');
  });
});

import { expect } from 'chai';
import { describe, it } from 'mocha';
import { runDeadLettersCommand } from '../../../src/commands/dead-letters-command.js';

describe('runDeadLettersCommand', () => {
  describe('a failure line', () => {
    it('writes control characters of what it echoes as \\u escapes, so they cannot drive the terminal', async () => {
      const errors: string[] = [];

      const status = await runDeadLettersCommand(['\u001b[2J\u009b31m\u007f'], { stderr: (text) => errors.push(text), stdout: () => undefined });

      expect(status).to.equal(2);
      expect(errors.join('')).to.include('Unknown action "\\u001b[2J\\u009b31m\\u007f"').and.not.match(/(?!\n)\p{Cc}/u);
    });
  });
});

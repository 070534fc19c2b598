import 'reflect-metadata';
import { runHandler } from '@signup/host-handler';
import { welcomeHandlerDefinition } from './welcome-handler-definition.js';
import { FileOutboxMailer } from './welcome-mailer.js';

const mailer = new FileOutboxMailer(process.env.OUTBOX_PATH ?? './data/outbox.jsonl');
process.exit(await runHandler(welcomeHandlerDefinition(mailer), {}, { programName: 'welcome-handler' }));

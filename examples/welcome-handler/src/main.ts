import 'reflect-metadata';
import { loadConfiguration, readSignUpSettings } from '@signup/adapters/config';
import { ConsoleLogger } from '@signup/adapters/logging';
import { connectToMessageQueue, createNatsMessaging } from '@signup/adapters/nats';
import { WelcomeEmailHandler } from './welcome-email-handler.js';
import { FileOutboxMailer } from './welcome-mailer.js';

const settings = readSignUpSettings(loadConfiguration());
const logger = new ConsoleLogger({ name: 'welcome-handler', level: settings.logging.level, format: settings.logging.format });
const connection = await connectToMessageQueue(settings.messageQueue, logger);
const { subscriber } = await createNatsMessaging(connection, settings.messageQueue, logger);
const subscription = await subscriber.subscribe(
  new WelcomeEmailHandler(new FileOutboxMailer(process.env.OUTBOX_PATH ?? './data/outbox.jsonl'), logger),
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void subscription.stop().then(() => connection.drain()).then(() => process.exit(0));
  });
}

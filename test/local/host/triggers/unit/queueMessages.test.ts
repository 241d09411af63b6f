import { describe, expect, it } from 'vitest';
import { queueMessagesFrom } from '../../../../../local/host/bindings/queueMessages.js';

describe('queue output value → messages', () => {
  it('sends a string as is', () => {
    expect(queueMessagesFrom({ string: 'hello' })).toEqual(['hello']);
    expect(queueMessagesFrom({ string: '{"a":1}' })).toEqual(['{"a":1}']);
  });

  it('splits a string holding a JSON array', () => {
    expect(queueMessagesFrom({ string: '["a", {"b":2}, 3]' })).toEqual(['a', '{"b":2}', '3']);
  });

  it('keeps a string that only looks like an array', () => {
    expect(queueMessagesFrom({ string: '[not json' })).toEqual(['[not json']);
  });

  it('sends an object as its JSON text', () => {
    expect(queueMessagesFrom({ json: '{"id":1,"name":"x"}' })).toEqual(['{"id":1,"name":"x"}']);
  });

  it('sends one message per array element', () => {
    expect(queueMessagesFrom({ json: '["one",{"two":2},3,true]' })).toEqual(['one', '{"two":2}', '3', 'true']);
    expect(queueMessagesFrom({ json: '[]' })).toEqual([]);
  });

  it('sends numbers as their text', () => {
    expect(queueMessagesFrom({ int: 42 })).toEqual(['42']);
    expect(queueMessagesFrom({ double: 1.5 })).toEqual(['1.5']);
  });

  it('sends bytes raw', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(queueMessagesFrom({ bytes })).toEqual([bytes]);
  });
});

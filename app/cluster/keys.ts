/** Every Redis key and channel Switchboard uses, in one place. All start with `sb:`. */
export const keys = {
  topicSeq: (topic: string) => `sb:topic:${topic}:seq`,
  topicLog: (topic: string) => `sb:topic:${topic}:log`,
  topicChannel: (topic: string) => `sb:topic:${topic}`,
  topicChannelPrefix: 'sb:topic:',

  messageSeq: 'sb:messages:seq',
  roomMessages: (room: string) => `sb:room:${room}:messages`,
  messagesByTime: 'sb:messages:by-time',

  roomParticipants: (room: string) => `sb:room:${room}:participants`,
  mentionPair: (sender: string, recipient: string) => `sb:mention:${sender}:${recipient}`,
  connections: (userId: string) => `sb:user:${userId}:connections`,

  users: 'sb:users',
  usersNamedPrefix: 'sb:users:named:',

  notificationSeq: 'sb:notifications:seq',
  notifications: (userId: string) => `sb:user:${userId}:notifications`,
  notificationsReadThrough: (userId: string) => `sb:user:${userId}:read-through`,

  metricNames: 'sb:metrics',
  metric: (name: string) => `sb:metric:${name}`,

  instances: 'sb:instances',
  instanceAlivePrefix: 'sb:instance:alive:',
  instanceTopicsPrefix: 'sb:instance:topics:',
  presence: (topic: string) => `sb:presence:${topic}`,
  presencePrefix: 'sb:presence:',
  presenceTopics: 'sb:presence-topics',
  presenceChanged: 'sb:presence-changed',
  presenceReaped: 'sb:presence-reaped',

  rate: (userId: string) => `sb:rate:${userId}`,
  matchLease: (lobby: string) => `sb:match-lease:${lobby}`,
  matchChannel: (lobby: string) => `sb:match:${lobby}`,
  matchChannelPrefix: 'sb:match:',
  sessionSecret: 'sb:session-secret',

  privateRooms: 'sb:rooms:private',
  roomMembers: (room: string) => `sb:room:${room}:members`,
  roomRemoved: (room: string) => `sb:room:${room}:removed`,
  usedToken: (jti: string) => `sb:used-token:${jti}`,
};

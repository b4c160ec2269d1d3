import {
  DEFAULT_TEST_PASSWORD,
  invitationTokenFor,
  inviteAndJoin,
  registerUser,
  startTestSystem,
  uniqueEmail,
} from '@switchboard/testkit';

/** Inviting people: the token travels only in the outbox event meant for the email channel. */

type System = Awaited<ReturnType<typeof startTestSystem>>;

const AUTH = 'accessToken refreshToken role user { id email name } organization { id name }';
const INVITE = 'mutation ($email: String!, $role: Role!) { inviteMember(email: $email, role: $role) { id email role status expiresAt invitedBy { id } organization { id } } }';
const ACCEPT = `mutation ($token: String!, $name: String, $password: String) { acceptInvitation(token: $token, name: $name, password: $password) { ${AUTH} } }`;
const MEMBERS = 'query ($id: ID!) { organization(id: $id) { members { totalCount nodes { role user { id email } } } } }';

let system: System;

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.close();
});

describe('invitations', () => {
  it('invite → token from the outbox → accept as a new user → member with the invited role', async () => {
    const owner = await registerUser(system, { organizationName: 'Inviting Co' });
    const email = uniqueEmail('newcomer');
    const invited = await system.graphql(INVITE, { email, role: 'AGENT' }, { token: owner.accessToken });
    expect(invited.errors).toBeUndefined();
    expect(invited.data.inviteMember).toMatchObject({
      email,
      role: 'AGENT',
      status: 'PENDING',
      invitedBy: { id: owner.user.id },
      organization: { id: owner.organizationId },
    });
    expect(JSON.stringify(invited.data)).not.toMatch(/token/i);

    const token = await invitationTokenFor(system, email);
    const stored = await system.prisma.invitation.findUniqueOrThrow({ where: { id: invited.data.inviteMember.id } });
    expect(stored.tokenHash).not.toContain(token);

    const pending = await system.graphql('{ invitations { id status } }', {}, { token: owner.accessToken });
    expect(pending.data.invitations).toEqual([{ id: invited.data.inviteMember.id, status: 'PENDING' }]);

    const accepted = await system.graphql(ACCEPT, { token, name: 'New Comer', password: DEFAULT_TEST_PASSWORD });
    expect(accepted.errors).toBeUndefined();
    const member = accepted.data.acceptInvitation;
    expect(member).toMatchObject({ role: 'AGENT', user: { email, name: 'New Comer' }, organization: { id: owner.organizationId, name: 'Inviting Co' } });

    const me = await system.graphql('{ me { role organization { id } } }', {}, { token: member.accessToken });
    expect(me.data.me).toEqual({ role: 'AGENT', organization: { id: owner.organizationId } });
    const members = await system.graphql(MEMBERS, { id: owner.organizationId }, { token: owner.accessToken });
    expect(members.data.organization.members.totalCount).toBe(2);
    expect(members.data.organization.members.nodes).toEqual(
      expect.arrayContaining([{ role: 'AGENT', user: { id: member.user.id, email } }]),
    );
    expect((await system.graphql('{ invitations { id } }', {}, { token: owner.accessToken })).data.invitations).toEqual([]);

    // The new member can sign in with the password they chose.
    const login = await system.graphql(`mutation ($i: LoginInput!) { login(input: $i) { ${AUTH} } }`, {
      i: { email, password: DEFAULT_TEST_PASSWORD },
    });
    expect(login.data.login).toMatchObject({ role: 'AGENT', organization: { id: owner.organizationId } });

    // Used once.
    const again = await system.graphql(ACCEPT, { token, name: 'Someone Else', password: DEFAULT_TEST_PASSWORD });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token', reason: 'ACCEPTED' });
  });

  it('a signed-in user whose email was invited accepts and their session moves to the organization', async () => {
    const owner = await registerUser(system);
    const existing = await registerUser(system);
    const invited = await system.graphql(INVITE, { email: existing.email, role: 'VIEWER' }, { token: owner.accessToken });
    expect(invited.errors).toBeUndefined();
    const token = await invitationTokenFor(system, existing.email);

    const stranger = await registerUser(system);
    const wrongUser = await system.graphql(ACCEPT, { token }, { token: stranger.accessToken });
    expect(wrongUser.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const accepted = await system.graphql(ACCEPT, { token }, { token: existing.accessToken });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data.acceptInvitation).toMatchObject({
      role: 'VIEWER',
      user: { id: existing.user.id },
      organization: { id: owner.organizationId },
    });
    const me = await system.graphql('{ me { role organization { id } memberships { role organization { id } } } }', {}, {
      token: accepted.data.acceptInvitation.accessToken,
    });
    expect(me.data.me.role).toBe('VIEWER');
    expect(me.data.me.organization.id).toBe(owner.organizationId);
    expect(me.data.me.memberships).toEqual(
      expect.arrayContaining([
        { role: 'OWNER', organization: { id: existing.organizationId } },
        { role: 'VIEWER', organization: { id: owner.organizationId } },
      ]),
    );
  });

  it('refuses an expired or withdrawn invitation with a clear reason', async () => {
    const owner = await registerUser(system);
    const late = uniqueEmail('late');
    const invitation = (await system.graphql(INVITE, { email: late, role: 'AGENT' }, { token: owner.accessToken })).data.inviteMember;
    await system.prisma.invitation.update({ where: { id: invitation.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await system.graphql(ACCEPT, { token: await invitationTokenFor(system, late), name: 'Late', password: DEFAULT_TEST_PASSWORD });
    expect(expired.errors?.[0]).toMatchObject({ message: expect.stringMatching(/expired/), extensions: { code: 'BAD_USER_INPUT', reason: 'EXPIRED' } });

    const withdrawn = uniqueEmail('withdrawn');
    const second = (await system.graphql(INVITE, { email: withdrawn, role: 'AGENT' }, { token: owner.accessToken })).data.inviteMember;
    const revoked = await system.graphql('mutation ($id: ID!) { revokeInvitation(invitationId: $id) { id status } }', { id: second.id }, { token: owner.accessToken });
    expect(revoked.data.revokeInvitation).toEqual({ id: second.id, status: 'REVOKED' });
    const refused = await system.graphql(ACCEPT, { token: await invitationTokenFor(system, withdrawn), name: 'W', password: DEFAULT_TEST_PASSWORD });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'REVOKED' });
  });

  it('refuses inviting someone who is already a member', async () => {
    const owner = await registerUser(system);
    const member = await inviteAndJoin(system, owner, 'AGENT');
    const again = await system.graphql(INVITE, { email: member.email, role: 'VIEWER' }, { token: owner.accessToken });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
  });
});

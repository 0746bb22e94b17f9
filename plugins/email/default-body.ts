/**
 * The body when `body` is not set: the facts of drone-email's default, as a template so a custom
 * body is rendered the same way. Styles are inline: many mail clients drop a <style> element.
 */
export const DEFAULT_BODY = `<!DOCTYPE html>
<html>
<head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="viewport" content="width=device-width"></head>
<body style="margin:0;padding:20px;background:#f6f6f6;font-family:Helvetica,Arial,sans-serif;font-size:14px;line-height:1.6">
<table width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;margin:0 auto;background:#fff;border:1px solid #e9e9e9;border-radius:3px">
<tr><td style="padding:20px;text-align:center;font-size:16px;color:#fff;background:{{#success build.status}}#68b90f{{else}}{{#failure build.status}}#d0021b{{else}}#ff9f00{{/failure}}{{/success}}">
<a href="{{ build.link }}" style="color:#fff;text-decoration:none">{{#success build.status}}Successful{{else}}{{#failure build.status}}Failed{{else}}{{uppercasefirst build.status}}{{/failure}}{{/success}} build #{{ build.number }}</a>
</td></tr>
<tr><td style="padding:20px">
<table width="100%" cellpadding="0" cellspacing="0">
<tr><td>Repo:</td><td>{{ repo.owner }}/{{ repo.name }}</td></tr>
<tr><td>Author:</td><td>{{ commit.author.name }} ({{ commit.author.email }})</td></tr>
<tr><td>Branch:</td><td>{{ commit.branch }}</td></tr>
<tr><td>Commit:</td><td>{{ truncate commit.sha 8 }}</td></tr>
{{#if build.failedSteps.length}}<tr><td>Failed steps:</td><td>{{ join ", " build.failedSteps }}</td></tr>
{{/if}}<tr><td>Started at:</td><td>{{ datetime build.started "Mon Jan 2 15:04:05 MST 2006" "UTC" }}</td></tr>
</table>
<hr style="border:0;border-top:1px solid #e9e9e9;margin:20px 0">
<pre style="white-space:pre-wrap;font-family:inherit;margin:0">{{ commit.message }}</pre>
</td></tr>
</table>
</body>
</html>`;

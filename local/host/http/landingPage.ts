// What `GET /` shows when no function is mapped there (Azure shows a similar "up and running" page).
export const LANDING_PAGE = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Your Functions app is up and running</title></head>
<body style="font-family: sans-serif; margin: 3em">
<h1>Your Functions 4.0 app is up and running</h1>
<p>Served by the local Functions host. Azure Functions is an event-based serverless compute experience to accelerate your development.</p>
</body>
</html>
`;
